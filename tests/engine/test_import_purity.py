"""The engine is pure: importing every engine module loads neither textual nor rich."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import importlib, json, pkgutil, sys
import nnstep.engine
names = sorted(m.name for m in pkgutil.iter_modules(nnstep.engine.__path__))
for name in names:
    importlib.import_module("nnstep.engine." + name)
for extra in sys.argv[1:]:
    importlib.import_module(extra)
ui = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
print(json.dumps({"modules": names, "ui": ui}))
"""


def probe(*extra: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *extra], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_engine_imports_neither_textual_nor_rich():
    result = probe()
    # every engine file was imported (a guard: the probe did find the modules)
    expected = {"numbers", "layers", "losses", "scenario", "session", "signs", "trace", "step",
                "records", "edits"}
    assert expected <= set(result["modules"])
    assert result["ui"] == []


def test_headless_cli_imports_neither_textual_nor_rich():
    """`nnstep check` / `nnstep run` go through these modules and must stay light."""
    result = probe("nnstep.tui.cli", "nnstep.tui.headless")
    assert result["ui"] == []


def test_the_probe_would_notice_textual():
    """Guard: the same probe reports textual when something does import it."""
    result = probe("textual")
    assert "textual" in result["ui"]
