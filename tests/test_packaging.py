"""Every package folder under engine/ and tui/ is listed in pyproject.toml, so a wheel (not only
an editable install, which finds sub-folders by itself) carries it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_installed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    mapped = {name: path for name, path in config["package-dir"].items()}
    folders = {init.parent.relative_to(ROOT).as_posix()
               for top in ("engine", "tui") for init in (ROOT / top).rglob("__init__.py")}
    expected = {"nnstep." + folder.replace("/", ".") for folder in folders}
    assert expected == listed
    assert all(mapped.get(name) == name.removeprefix("nnstep.").replace(".", "/")
               for name in listed)
