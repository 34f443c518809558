"""The [data] table of a scenario: which data set (inline samples, a file, or generated), the
names of its features, targets and classes; and its widths checked against the layers."""

from __future__ import annotations

from pathlib import Path

from .dataset import Sample, Samples, generated_samples, inline_samples
from .file_dataset import file_samples
from .labels import parse_classes
from .scenario_fields import Fields

DATA_KEYS = ("features", "targets", "classes", "samples", "file", "generate")


def read_data(f: Fields, top: dict, path: Path) -> tuple[
        list[Sample], list[str] | None, list[str] | None, tuple[str, ...], Path | None]:
    """(samples, feature names, output names, class names, the data file read or None) from
    the [data] table of the scenario's tables ``top``; ``path`` is the scenario file's."""
    where = ("data",)
    data_file = None
    if "data" not in top:
        raise f.fail("missing table [data] (expected samples = [...] or file = \"...csv\")")
    raw = f.table(top["data"], where, DATA_KEYS)
    features = f.names(raw, "features", where)
    targets = f.names(raw, "targets", where)
    classes = parse_classes(f.names(raw, "classes", where), where + ("classes",), f.fail)
    sources = [key for key in ("samples", "file", "generate") if key in raw]
    if len(sources) > 1:
        raise f.fail(f"give one of samples, file or generate, not {' and '.join(sources)}",
                     where + (sources[1],))
    if "generate" in raw:
        samples, names = generated_samples(raw["generate"], f.fail)
        if classes and len(classes) != len(names):
            raise f.fail(f"{len(classes)} class names for {len(names)} generated classes",
                         where + ("classes",))
        targets = targets or list(classes) or names
    elif "file" in raw:
        samples, features, targets = file_samples(path, raw["file"], features, targets,
                                                  f.fail, f.mode, classes)
        data_file = path.parent / raw["file"]  # a path: file_samples checked it
    elif "samples" in raw:
        samples = inline_samples(raw["samples"], f.fail, f.mode, classes)
    else:
        raise f.fail("missing key 'samples' (or 'file', or 'generate'): the data set", where)
    if not samples:
        raise f.fail("the data set is empty (expected at least one sample)",
                     where + (("file",) if "file" in raw else ("samples",)))
    if classes and "file" not in raw and "targets" in raw:
        raise f.fail("classes names the outputs already: give targets only with a CSV "
                     "file (the column of class labels)", where + ("targets",))
    if classes:
        targets = list(classes)  # the outputs are the classes (not a CSV's label column)
    return samples, features, targets, classes, data_file


def check_shapes(f: Fields, data: dict, layers, samples, features, targets) -> None:
    """The data's widths against the first and the last layer's sizes, and the number of
    feature and target names (``data``: the [data] table as written)."""
    n_in, n_out = layers[0].size, layers[-1].size
    arrays = isinstance(samples, Samples)
    if arrays or not isinstance(data.get("samples"), list):
        # one array each, or rows its reader gave one width: checked once, for the data
        # set (a file or a generator has no samples[i] to name)
        widths = ((samples.x.shape[1], samples.y.shape[1]) if arrays
                  else (len(samples[0].x), len(samples[0].y)))
        for width, n, what, layer in ((widths[0], n_in, "inputs", "the input layer"),
                                      (widths[1], n_out, "outputs", "the last layer")):
            if width != n:
                raise f.fail(f"the data has {width} {what} per sample, {layer} "
                             f"'{layers[0 if what == 'inputs' else -1].name}' has {n}",
                             ("data",))
        samples = ()
    for i, s in enumerate(samples):
        if len(s.x) != n_in:
            raise f.fail(f"x has {len(s.x)} values, the input layer '{layers[0].name}' "
                         f"expects {n_in}", ("data", "samples", i, "x"))
        if len(s.y) != n_out:
            raise f.fail(f"y has {len(s.y)} values, the last layer '{layers[-1].name}' "
                         f"outputs {n_out}", ("data", "samples", i, "y"))
    if features and len(features) != n_in:
        raise f.fail(f"{len(features)} feature names for {n_in} inputs", ("data", "features"))
    if targets and len(targets) != n_out:
        raise f.fail(f"{len(targets)} target names for {n_out} outputs", ("data", "targets"))
