"""A scenario file (TOML) -> a frozen ``Scenario``. Every error names file, line/key, expectation.

The schema is a contract other tools generate; keys may be added, never renamed. See README.md.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from .branch_file import BranchTable, parse_branch
from .dataset import Sample, Samples, file_samples, generated_samples, inline_samples
from .errors import ScenarioError, escape, locate, shown, suggest
from .files import FileProblem, read_text
from .init import WeightFiles, initial_params, network_params
from .kinds import DEFAULT_LOSS, LAYERS
from .labels import parse_classes
from .layers import KINDS, LayerSpec
from .limits import (
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_NEURONS,
    MAX_SCENARIO_BYTES,
    MAX_WEIGHTS,
)
from .numbers import EXACT, FLOAT, MODES, NumberError, parse_number
from .optimizers import Optimizer
from .settings import check_targets, parse_loss, parse_optimizer
from .state_dict import prefixes

TOP_KEYS = ("title", "description", "numbers", "data", "training", "loss", "optimizer", "layers",
            "weights", "branch")
DATA_KEYS = ("features", "targets", "classes", "samples", "file", "generate")
TRAINING_KEYS = ("learning_rate", "batch_size", "epochs", "order", "seed")
LAYER_KEYS = ("name", "kind", "size") + tuple(
    dict.fromkeys(key for recipe in LAYERS.values() for key in recipe.keys))
ORDERS = ("sequential", "shuffle")
MAX_NAME = 24  # characters of a layer name
LAYER_NAME = re.compile(rf"[A-Za-z_][A-Za-z0-9_-]{{0,{MAX_NAME - 1}}}")


@dataclass(frozen=True)
class Training:
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
        return (f"{escape(self.path)}: ok — '{escape(self.title)}', {len(self.layers)} layers "
                f"({shape}), "
                f"{n_w} weights, {len(self.samples)} samples, {self.training.epochs} epoch(s) of "
                f"{self.iterations_per_epoch} iteration(s), {self.numbers} numbers"
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
        raw = tomllib.loads(text)
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


class _Builder:
    def __init__(self, raw: dict, path: Path, fail, numbers: str | None = None) -> None:
        self.raw, self.path, self.fail, self.numbers = raw, path, fail, numbers
        self.mode = numbers or FLOAT
        self.files = WeightFiles(path.parent, fail)
        self.data_file: Path | None = None

    def table(self, raw: Any, where: tuple, allowed: tuple, required: tuple = ()) -> dict:
        if not isinstance(raw, dict):
            raise self.fail(f"expected a table with keys {', '.join(allowed)}", where)
        for key in raw:
            if key not in allowed:
                raise self.fail(f"unknown key '{shown(key)}'{suggest(key, allowed)} "
                                f"(expected one of {', '.join(allowed)})", where + (key,))
        for key in required:
            if key not in raw:
                raise self.fail(f"missing key '{key}'", where)
        return raw

    def string(self, raw: dict, key: str, where: tuple, default=None, choices=None) -> str:
        value = raw.get(key, default)
        if value is None:
            raise self.fail(f"missing key '{key}' (expected a string)", where)
        if not isinstance(value, str):
            raise self.fail(f"expected a string, got {shown(value)}", where + (key,))
        if choices and value not in choices:
            raise self.fail(f"'{shown(value)}' is not valid{suggest(value, choices)}; expected "
                            f"one of {', '.join(choices)}", where + (key,))
        return value

    def integer(self, raw: dict, key: str, where: tuple, default: int, minimum: int,
                maximum: int | None = None) -> int:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"expected a whole number ≥ {minimum}, got {shown(value)}",
                            where + (key,))
        if maximum is not None and value > maximum:
            raise self.fail(f"{shown(value)} is over the limit of {maximum:,}", where + (key,))
        return value

    def number(self, raw: dict, key: str, where: tuple, default=None) -> Fraction:
        if key not in raw and default is not None:
            return Fraction(default)
        if key not in raw:
            raise self.fail(f"missing key '{key}' (expected a number)", where)
        try:
            return parse_number(raw[key], self.mode)
        except NumberError as err:
            raise self.fail(str(err), where + (key,)) from None

    def names(self, raw: dict, key: str, where: tuple) -> list[str] | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail("expected a list of names (strings)", where + (key,))
        return value

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
        samples, features, targets, classes = self.data()
        layers, params = self.layers(layers_raw, numbers, training.seed)
        if classes and len(classes) != layers[-1].size:
            raise self.fail(f"{len(classes)} classes for {layers[-1].size} outputs of the last "
                            f"layer '{layers[-1].name}'", ("data", "classes"))
        keys = prefixes(layers)
        if "weights" in raw:
            params, keys = network_params(raw["weights"], layers, layers_raw, self.files,
                                          self.fail)
        self.check_shapes(layers, samples, features, targets)
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
        from .step import Model  # step imports this module

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

    def data(self) -> tuple[list[Sample], list[str] | None, list[str] | None, tuple[str, ...]]:
        """(samples, feature names, output names, class names)."""
        where = ("data",)
        if "data" not in self.raw:
            raise self.fail("missing table [data] (expected samples = [...] or file = \"...csv\")")
        raw = self.table(self.raw["data"], where, DATA_KEYS)
        features = self.names(raw, "features", where)
        targets = self.names(raw, "targets", where)
        classes = parse_classes(self.names(raw, "classes", where), where + ("classes",),
                                self.fail)
        sources = [key for key in ("samples", "file", "generate") if key in raw]
        if len(sources) > 1:
            raise self.fail(f"give one of samples, file or generate, not {' and '.join(sources)}",
                            where + (sources[1],))
        if "generate" in raw:
            samples, names = generated_samples(raw["generate"], self.fail)
            if classes and len(classes) != len(names):
                raise self.fail(f"{len(classes)} class names for {len(names)} generated classes",
                                where + ("classes",))
            targets = targets or list(classes) or names
        elif "file" in raw:
            self.data_file = self.path.parent / raw["file"]  # read (checked) just below
            samples, features, targets = file_samples(self.path, raw["file"], features, targets,
                                                      self.fail, self.mode, classes)
        elif "samples" in raw:
            samples = inline_samples(raw["samples"], self.fail, self.mode, classes)
        else:
            raise self.fail("missing key 'samples' (or 'file', or 'generate'): the data set",
                            where)
        if not samples:
            raise self.fail("the data set is empty (expected at least one sample)",
                            where + (("file",) if "file" in raw else ("samples",)))
        if classes and "file" not in raw and "targets" in raw:
            raise self.fail("classes names the outputs already: give targets only with a CSV "
                            "file (the column of class labels)", where + ("targets",))
        if classes:
            targets = list(classes)  # the outputs are the classes (not a CSV's label column)
        return samples, features, targets, classes

    def layers(self, layers_raw: list, numbers: str, seed: int) -> tuple[list, list]:
        specs: list[LayerSpec] = []
        params: list[dict] = []
        names: set[str] = set()
        previous = weights = 0
        for k, raw in enumerate(layers_raw):
            where = ("layers", k)
            raw = self.table(raw, where, LAYER_KEYS)
            kind = self.string(raw, "kind", where, choices=KINDS)
            name = self.string(raw, "name", where, default=f"L{k + 1}")
            if not LAYER_NAME.fullmatch(name):
                raise self.fail(f"'{shown(name)}' is not a layer name (expected a letter, then "
                                f"letters, digits, _ or -, at most {MAX_NAME} characters)",
                                where + ("name",))
            if name in names:
                raise self.fail(f"the layer name '{shown(name)}' is used twice", where + ("name",))
            names.add(name)
            recipe = LAYERS[kind]
            if (k == 0) != recipe.takes_data:
                raise self.fail("the first layer must be of kind \"input\", and only the first"
                                if k == 0 else "only the first layer may be of kind \"input\"",
                                where + ("kind",))
            if numbers == EXACT and not recipe.exact:
                usable = " / ".join(n for n, r in LAYERS.items()
                                    if r.exact and not r.sets_size)
                raise self.fail(f"{kind} has no exact rational values; use float64 numbers "
                                f"(numbers = \"float64\", or --float) or {usable}",
                                where + ("kind",))
            size = self.layer_size(raw, kind, where, previous)
            if recipe.trainable:
                weights += size * (previous + 1)
                if weights > MAX_WEIGHTS:
                    raise self.fail(f"the network has more than the limit of {MAX_WEIGHTS:,} "
                                    "weights from this layer on", where + ("size",))
            slope = self.number(raw, "slope", where, Fraction(1, 100))
            if slope < 0:
                raise self.fail(f"expected a slope ≥ 0, got {shown(raw['slope'])} (a negative "
                                "slope flips the sign of the learning flow, which the sign "
                                "analysis does not follow)", where + ("slope",))
            spec = LayerSpec(
                name, kind, size,
                bias=self.flag(raw, "bias", where, recipe.trainable),
                slope=slope,
                grad_at_zero=self.number(raw, "grad_at_zero", where, 1),
            )
            self.only_for(raw, kind, where)
            specs.append(spec)
            own_weights = recipe.trainable and "weights" not in self.raw  # else [weights]
            params.append(initial_params(spec, previous, raw, numbers, seed + k, where, self.fail,
                                         self.files, specs) if own_weights else {})
            previous = size
        return specs, params

    def layer_size(self, raw: dict, kind: str, where: tuple, previous: int) -> int:
        if LAYERS[kind].sets_size:
            if "size" not in raw:
                raise self.fail("missing key 'size' (expected the number of neurons)", where)
            return self.integer(raw, "size", where, 1, 1, MAX_NEURONS)
        size = self.integer(raw, "size", where, previous, 1, MAX_NEURONS)
        if size != previous:
            raise self.fail(f"an activation keeps the size of its input: expected {previous}, "
                            f"got {size}", where + ("size",))
        return size

    def flag(self, raw: dict, key: str, where: tuple, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"expected true or false, got {shown(value)}", where + (key,))
        return value

    def only_for(self, raw: dict, kind: str, where: tuple) -> None:
        owners = {key: name for name, recipe in LAYERS.items() for key in recipe.keys}
        for key, owner in owners.items():
            if key in raw and key not in LAYERS[kind].keys:
                raise self.fail(f"'{key}' applies only to {owner} layers, not {kind}",
                                where + (key,))

    def check_shapes(self, layers, samples, features, targets) -> None:
        n_in, n_out = layers[0].size, layers[-1].size
        if isinstance(samples, Samples):  # one array each: checked once
            for arr, n, what, layer in ((samples.x, n_in, "inputs", "the input layer"),
                                        (samples.y, n_out, "outputs", "the last layer")):
                if arr.shape[1] != n:
                    raise self.fail(f"the data has {arr.shape[1]} {what} per sample, {layer} "
                                    f"'{layers[0 if what == 'inputs' else -1].name}' has {n}",
                                    ("data",))
            samples = ()
        for i, s in enumerate(samples):
            if len(s.x) != n_in:
                raise self.fail(f"x has {len(s.x)} values, the input layer '{layers[0].name}' "
                                f"expects {n_in}", ("data", "samples", i, "x"))
            if len(s.y) != n_out:
                raise self.fail(f"y has {len(s.y)} values, the last layer '{layers[-1].name}' "
                                f"outputs {n_out}", ("data", "samples", i, "y"))
        if features and len(features) != n_in:
            raise self.fail(f"{len(features)} feature names for {n_in} inputs",
                            ("data", "features"))
        if targets and len(targets) != n_out:
            raise self.fail(f"{len(targets)} target names for {n_out} outputs",
                            ("data", "targets"))
