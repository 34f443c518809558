"""Fixtures for the TUI tests."""

from __future__ import annotations

import pytest
from nnstep.tui.app import NnstepApp
from tui_support import make_app


@pytest.fixture
def app() -> NnstepApp:
    return make_app()
