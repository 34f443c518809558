"""A scenario file (TOML) -> a frozen ``Scenario``. Every error names file, line/key, expectation.

The schema is a contract other tools generate; keys may be added, never renamed. See README.md.
Here: the Scenario and its [training] table, and the checks across tables; the [data] table is
read in scenario_data.py, [[layers]] in scenario_layers.py, [loss] and [optimizer] in settings.py.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from .branch_file import BranchTable, parse_branch
from .dataset import Sample, Samples
from .errors import ScenarioError, escape, locate, shown
from .files import FileProblem, read_text
from .format import count
from .init import WeightFiles, network_params
from .kinds import DEFAULT_LOSS
from .layers import LayerSpec
from .limits import (
    MAX_BATCH_VALUES,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_LAYERS,
    MAX_SCENARIO_BYTES,
)
from .numbers import FLOAT, MODES, toml_float
from .optimizers import Optimizer
from .scenario_data import check_shapes, read_data
from .scenario_fields import Fields
from .scenario_layers import read_layers
from .settings import check_targets, parse_loss, parse_optimizer
from .state_dict import prefixes

TOP_KEYS = ("title", "description", "numbers", "data", "training", "loss", "optimizer", "layers",
            "weights", "branch")
TITLE_SHOWN = 80  # characters of the title `check` prints
TRAINING_KEYS = ("learning_rate", "batch_size", "epochs", "order", "seed")
ORDERS = ("sequential", "shuffle")


@dataclass(frozen=True)
class Training:
    """[training]: the learning rate α, samples per iteration, epochs, and the order of the
    samples in an epoch ("sequential" or "shuffle", seeded). (A docstring also spares the
    dataclass decorator from writing one from the signature at every start.)"""

    learning_rate: Fraction
    batch_size: int = 1
    epochs: int = 1
    order: str = "sequential"
    seed: int = 0


@dataclass(frozen=True)
class Scenario:
    """Everything needed to start a session. ``params[k]`` holds layer k's initial
    ``{"w": ((...),), "b": (...)}`` as exact Fractions (empty for layers without weights)."""

    path: str
    title: str
    description: str
    numbers: str
    features: tuple[str, ...]
    targets: tuple[str, ...]
    samples: tuple[Sample, ...] | Samples
    training: Training
    loss: str
    layers: tuple[LayerSpec, ...]
    params: tuple[dict, ...] = field(repr=False)
    state_keys: tuple[str | None, ...] = ()  # per layer, its PyTorch state_dict prefix
    branch: BranchTable = BranchTable()  # [branch]: edits to replay, where to open
    source: dict = field(default_factory=dict, repr=False, compare=False)  # the TOML values
    optimizer: Optimizer = Optimizer.plain()
    classes: tuple[str, ...] = ()  # [data] classes: the names of the outputs, labels one-hot
    inputs: tuple[str, ...] = field(default=(), compare=False)  # the data and weights files read

    @property
    def iterations_per_epoch(self) -> int:
        return -(-len(self.samples) // self.training.batch_size)

    @property
    def iterations(self) -> int:
        return self.iterations_per_epoch * self.training.epochs

    def summary(self) -> str:
        shape = "-".join(str(spec.size) for spec in self.layers if spec.recipe.sets_size)
        n_w = sum(len(p.get("w", ())) * len(p["w"][0]) + len(p.get("b", ()))
                  for p in self.params if p)
        return (f"{escape(self.path)}: ok — '{shown(self.title, TITLE_SHOWN)}', "
                f"{len(self.layers)} layers ({shape}), {count(n_w, 'weight')}, "
                f"{count(len(self.samples), 'sample')}, {count(self.training.epochs, 'epoch')} "
                f"of {count(self.iterations_per_epoch, 'iteration')}, {self.numbers} numbers"
                + (f", {self.loss} loss" if self.loss != DEFAULT_LOSS else "")
                + (f", {self.optimizer.describe()}" if self.optimizer.given else ""))


def load_scenario(path: str | Path, numbers: str | None = None) -> Scenario:
    """Read and validate a scenario file; raise ScenarioError with a clear message.

    ``numbers`` ("exact" / "float64") overrides the file's number mode."""
    path = Path(path)
    try:
        text = read_text(path, MAX_SCENARIO_BYTES)
    except FileProblem as err:
        reason = "no such file (expected a scenario .toml file)" if str(err) == (
            "does not exist") else str(err)
        raise ScenarioError(path, reason) from None
    return parse_scenario(text, path, numbers)


def parse_scenario(text: str, path: str | Path = "<scenario>",
                   numbers: str | None = None) -> Scenario:
    path = Path(path)
    text = text.removeprefix("\ufeff")  # a byte-order mark is not a statement
    try:
        raw = tomllib.loads(text, parse_float=toml_float)
    except tomllib.TOMLDecodeError as err:
        line = _toml_line(str(err))
        raise ScenarioError(path, f"TOML syntax error: {err}", line=line) from None
    except ValueError:  # an integer of more than 4,300 digits
        raise ScenarioError(path, "a number of more than 4,300 digits is over the limit "
                            f"({MAX_DIGITS:,} digits)") from None
    except RecursionError:
        raise ScenarioError(path, f"arrays or tables nest deeper than the limit of {MAX_DEPTH}"
                            ) from None
    deep = _too_deep(raw)
    if deep is not None:
        raise ScenarioError(path, f"arrays or tables nest deeper than the limit of {MAX_DEPTH}",
                            deep, locate(text, deep))

    def fail(message: str, key_path=()) -> ScenarioError:
        return ScenarioError(path, message, key_path, locate(text, key_path))

    return _Builder(raw, path, fail, numbers).build()


def _too_deep(raw: Any) -> tuple | None:
    """The key path of the first value nested deeper than MAX_DEPTH, else None (iterative: a
    deep value cannot exhaust the stack here)."""
    todo = [(raw, ())]
    while todo:
        value, where = todo.pop()
        if len(where) > MAX_DEPTH:
            return where[:MAX_DEPTH + 1]
        if isinstance(value, dict):
            todo += [(v, where + (k,)) for k, v in value.items()]
        elif isinstance(value, list):
            todo += [(v, where + (i,)) for i, v in enumerate(value)]
    return None


def _frozen(samples):
    """The data set as the Scenario holds it: arrays stay arrays, a list becomes a tuple."""
    return samples if isinstance(samples, Samples) else tuple(samples)


def _toml_line(message: str) -> int | None:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


class _Builder(Fields):
    def __init__(self, raw: dict, path: Path, fail, numbers: str | None = None) -> None:
        super().__init__(fail, numbers or FLOAT)
        self.raw, self.path, self.numbers = raw, path, numbers
        self.files = WeightFiles(path.parent, fail)
        self.data_file: Path | None = None

    def build(self) -> Scenario:
        raw = self.table(self.raw, (), TOP_KEYS)
        title = escape(self.string(raw, "title", ()))
        description = raw.get("description", "")
        if not isinstance(description, str):
            raise self.fail("expected a string", ("description",))
        description = "\n".join(escape(line) for line in description.split("\n"))
        numbers = self.string(raw, "numbers", (), default=FLOAT, choices=MODES)
        numbers = self.numbers or numbers
        self.mode = numbers
        training = self.training()
        loss = parse_loss(self.raw.get("loss", {}), numbers, self.fail)
        optimizer = parse_optimizer(self.raw.get("optimizer"), numbers, self.fail)
        layers_raw = raw.get("layers")
        if not isinstance(layers_raw, list) or not layers_raw:
            raise self.fail("expected [[layers]] tables, the first one of kind \"input\"",
                            ("layers",))
        if len(layers_raw) > MAX_LAYERS:  # at ~4 ms a panel, 3,000 layers took 15 s a step
            raise self.fail(f"{len(layers_raw):,} layers are over the limit of {MAX_LAYERS} "
                            "(activations included)", ("layers",))
        samples, features, targets, classes, self.data_file = read_data(self, self.raw, self.path)
        layers, params = read_layers(self, layers_raw, numbers, training.seed, self.files,
                                     own_weights="weights" not in raw)
        batch, neurons = min(training.batch_size, len(samples)), sum(spec.size for spec in layers)
        if batch * neurons > MAX_BATCH_VALUES:  # 200 samples × 10⁶ neurons: GBs an operation
            raise self.fail(f"a batch of {batch:,} samples through {neurons:,} neurons makes "
                            f"{batch * neurons:,} values an operation, over the limit of "
                            f"{MAX_BATCH_VALUES:,} (lower batch_size, or the layers' sizes)",
                            ("training", "batch_size"))
        if classes and len(classes) != layers[-1].size:
            raise self.fail(f"{len(classes)} classes for {layers[-1].size} outputs of the last "
                            f"layer '{layers[-1].name}'", ("data", "classes"))
        keys = prefixes(layers)
        if "weights" in raw:
            params, keys = network_params(raw["weights"], layers, layers_raw, self.files,
                                          self.fail)
        check_shapes(self, self.raw["data"], layers, samples, features, targets)
        check_targets(samples, loss, isinstance(self.raw["data"].get("samples"), list),
                      self.fail)
        scenario = Scenario(str(self.path), title, description, numbers,
                            tuple(escape(f) for f in features or ()),
                            tuple(escape(t) for t in targets or ()), _frozen(samples),
                            training, loss, tuple(layers), tuple(params), keys,
                            source=self.raw, optimizer=optimizer,
                            classes=tuple(classes or ()),
                            inputs=tuple(str(p) for p in ([self.data_file] if self.data_file
                                                          else []) + list(self.files.opened)))
        if "branch" not in raw:
            return scenario
        from .model import Model  # model imports this module

        branch = parse_branch(raw["branch"], scenario.layers, Model.of(scenario).schedule,
                              self.fail)
        return replace(scenario, branch=branch)

    def training(self) -> Training:
        where = ("training",)
        raw = self.table(self.raw.get("training", {}), where, TRAINING_KEYS)
        if "learning_rate" not in raw:
            raise self.fail("missing key 'learning_rate' (expected α, e.g. learning_rate = 1)",
                            where)
        lr = self.number(raw, "learning_rate", where)
        if lr < 0:
            raise self.fail(f"expected a learning rate ≥ 0, got {shown(raw['learning_rate'])}",
                            where + ("learning_rate",))
        return Training(
            lr,
            self.integer(raw, "batch_size", where, 1, 1),
            self.integer(raw, "epochs", where, 1, 1),
            self.string(raw, "order", where, default="sequential", choices=ORDERS),
            self.integer(raw, "seed", where, 0, 0),
        )
