"""nnstep's engine: numpy only, no UI, no printing. See the design notes in README.md."""

from .edits import Edit, EditError
from .errors import ScenarioError
from .records import Record
from .scenario import Scenario, load_scenario, parse_scenario
from .session import Session
from .step import RunawayFractions

__all__ = ["Edit", "EditError", "Record", "RunawayFractions", "Scenario", "ScenarioError",
           "Session", "load_scenario", "parse_scenario"]
