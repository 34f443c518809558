"""Generated and CSV data sets: `[data] generate = { kind = "classes", … }` is a deterministic
function of its seed with values on a 1/256 grid and one-hot targets; bad keys name
data.generate.KEY; iris.csv loads as Fisher's 150 flowers and the network learns it."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from nnstep.engine import ScenarioError, Session, load_scenario, parse_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

LAYERS = """
[training]
learning_rate = 0.1

[[layers]]
name = "L1"
kind = "input"
size = {features}

[[layers]]
name = "L2"
kind = "linear"
size = {classes}
init = "xavier"
seed = 1
"""


def generated(generate: str, features: int = 6, classes: int = 3, numbers: str = "float64"):
    text = (f'title = "gen"\nnumbers = "{numbers}"\n\n[data]\ngenerate = {{ {generate} }}\n'
            + LAYERS.format(features=features, classes=classes))
    return parse_scenario(text, "gen.toml")


def arrays(scenario):
    return (np.array([s.x for s in scenario.samples], dtype=float),
            np.array([s.y for s in scenario.samples], dtype=float))


# the first 16 hex digits of the sha256 of scenarios/mlp784.toml's samples (x, y), as generated
# before the generator computed in place (numpy 2.4)
MLP784_X, MLP784_Y = "755e12697de818a5", "35c60eb737699db8"

SPEC = 'kind = "classes", samples = 40, features = 6, classes = 3, noise = 0.2, seed = 5'


def test_deterministic_from_the_seed():
    x1, y1 = arrays(generated(SPEC))
    x2, y2 = arrays(generated(SPEC))
    assert x1.tobytes() == x2.tobytes() and y1.tobytes() == y2.tobytes()
    x3, y3 = arrays(generated(SPEC.replace("seed = 5", "seed = 6")))
    assert not np.array_equal(x1, x3)
    assert x1.shape == (40, 6) and y1.shape == (40, 3)


def test_values_on_the_grid_and_one_hot_targets():
    scenario = generated(SPEC.replace("noise = 0.2", "noise = 0.5"))
    x, y = arrays(scenario)
    assert ((x >= 0) & (x <= 1)).all()
    assert np.array_equal(x * 256, np.round(x * 256))
    assert x.min() == 0 and x.max() == 1  # noise 0.5 clips at both ends (guard for the clip)
    assert set(np.unique(y)) == {0.0, 1.0} and (y.sum(axis=1) == 1).all()
    assert set(y.argmax(axis=1)) == {0, 1, 2}  # every class is present
    assert scenario.targets == ("class 0", "class 1", "class 2")


def test_noise_zero_gives_one_point_per_class():
    """Without noise every sample is its class's prototype: same class ⇒ same x."""
    x, y = arrays(generated(SPEC.replace("noise = 0.2", "noise = 0")))
    labels = y.argmax(axis=1)
    for c in range(3):
        rows = x[labels == c]
        assert len(rows) > 1 and (rows == rows[0]).all()
    prototypes = [x[labels == c][0] for c in range(3)]
    assert len({p.tobytes() for p in prototypes}) == 3


def test_noise_spreads_samples_around_their_class():
    """With small noise, a sample is closer to its own class's mean than to the others."""
    x, y = arrays(generated('kind = "classes", samples = 300, features = 20, classes = 4, '
                            'noise = 0.05, seed = 1', features=20, classes=4))
    labels = y.argmax(axis=1)
    means = np.stack([x[labels == c].mean(axis=0) for c in range(4)])
    nearest = np.linalg.norm(x[:, None, :] - means[None], axis=2).argmin(axis=1)
    assert (nearest == labels).all()
    spread = np.std(x - means[labels])
    assert 0.03 < spread < 0.06  # ≈ the noise, a little less where clipping bites


def test_exact_mode_sees_the_same_data(data_dir):
    path = data_dir / "generated_classes.toml"
    exact = Session(load_scenario(path, numbers="exact")).record
    floats = Session(load_scenario(path)).record
    assert exact.mode == "exact" and floats.mode == "float64"
    for e, f in zip(exact.data_x.flat, floats.data_x.flat):
        assert isinstance(e, Fraction) and 256 % e.denominator == 0 and e == f
    assert [list(r) for r in exact.data_y] == floats.data_y.tolist()


def test_data_file_runs(data_dir):
    s = Session(load_scenario(data_dir / "generated_classes.toml"))
    assert s.schedule.iterations == 24
    rec = s.last()
    assert np.isfinite(rec.loss) and rec.iteration == 24


@pytest.mark.parametrize("generate, key, expected", [
    ('kind = "classes", sample = 10, features = 6', "data.generate.sample",
     "did you mean 'samples'"),
    ('kind = "blobs", samples = 10, features = 6', "data.generate.kind", "classes"),
    ('samples = 0, features = 6', "data.generate.samples", "≥ 1"),
    ('samples = 2.5, features = 6', "data.generate.samples", "whole number"),
    ('samples = true, features = 6', "data.generate.samples", "whole number"),
    ('samples = 10', "data.generate.features", "whole number"),
    ('samples = 10, features = 6, classes = 1', "data.generate.classes", "≥ 2"),
    ('samples = 10, features = 6, seed = -1', "data.generate.seed", "≥ 0"),
    ('samples = 10, features = 6, noise = "lots"', "data.generate.noise", "lots"),
])
def test_bad_generate_keys_name_the_key(generate, key, expected):
    with pytest.raises(ScenarioError) as err:
        generated(generate)
    message = str(err.value)
    assert key in message and expected in message, message
    assert message.startswith("gen.toml")


def test_generate_must_be_a_table_and_alone():
    with pytest.raises(ScenarioError) as err:
        parse_scenario('title = "t"\n[data]\ngenerate = 3\n' + LAYERS.format(features=1,
                                                                              classes=2), "g.toml")
    assert "data.generate" in str(err.value)
    text = ('title = "t"\n[data]\nsamples = [{ x = [1], y = [0, 1] }]\n'
            'generate = { samples = 3, features = 1 }\n' + LAYERS.format(features=1, classes=2))
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "g.toml")
    assert "give one of samples, file or generate" in str(err.value)


def test_generated_features_must_match_the_input_layer():
    with pytest.raises(ScenarioError):
        generated(SPEC, features=7)


# ---- iris
def test_iris_loads_fishers_flowers():
    scenario = load_scenario(SCENARIOS / "iris.toml")
    with open(SCENARIOS / "data" / "iris.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], [r for r in rows[1:] if r]
    assert len(body) == 150 == len(scenario.samples)
    assert scenario.features == tuple(header[:4])
    assert scenario.targets == ("setosa", "versicolor", "virginica")
    x, y = arrays(scenario)
    assert x.shape == (150, 4) and y.shape == (150, 3)
    assert np.allclose(x, np.array([[float(v) for v in r[:4]] for r in body]))
    assert (y.sum(axis=1) == 1).all() and (y.sum(axis=0) == 50).all()  # 50 of each species


def test_iris_loss_decreases(nnstep, json_lines):
    done = nnstep("run", SCENARIOS / "iris.toml", "--format", "json")
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert len(lines) == 40 * 15 and lines[-1]["epoch"] == 40
    by_epoch: dict[int, list[float]] = {}
    for line in lines:
        assert len(line["samples"]) == 10
        by_epoch.setdefault(line["epoch"], []).append(line["loss"])
    means = [np.mean(by_epoch[e]) for e in sorted(by_epoch)]
    assert means[-1] < 0.5 * means[0]
    assert np.mean(means[-5:]) < np.mean(means[:5])
    # accuracy at the end, from the trace's own outputs: most flowers are classified right
    right = sum(np.argmax(out) == np.argmax(target)
                for line in lines[-15:]
                for out, target in zip(line["layers"][-1]["output"], line["y"]))
    assert right >= 0.8 * 150
    assert json.dumps(lines[0])  # plain JSON values


@pytest.mark.parametrize("spec", [
    'kind = "classes", samples = 300, features = 17, classes = 4, noise = 0.3, seed = 11',
    'kind = "classes", samples = 50, features = 9, classes = 2, noise = 0, seed = 0',
    'kind = "classes", samples = 64, features = 5, classes = 5, noise = 2, seed = 123456789',
])
def test_the_generator_follows_its_rule(spec):
    """The documented rule, step by step with numpy's default generator (a prototype per
    class, uniform in [0, 1]; labels; Gaussian noise; clipped to [0, 1]; rounded to 1/256),
    each step in a new array: the generator's in-place arithmetic gives the same bits."""
    raw = dict(item.split(" = ") for item in spec.split(", "))
    n, f, c, seed = (int(raw[k]) for k in ("samples", "features", "classes", "seed"))
    rng = np.random.default_rng(seed)
    prototypes = rng.uniform(0, 1, size=(c, f))
    labels = rng.integers(0, c, size=n)
    x = np.clip(prototypes[labels] + rng.normal(0, float(raw["noise"]), size=(n, f)), 0, 1)
    x = np.round(x * 256) / 256
    got_x, got_y = arrays(generated(spec, features=f, classes=c))
    assert got_x.tobytes() == x.tobytes()
    assert got_y.tobytes() == np.eye(c)[labels].tobytes()


def test_mlp784_data_is_what_it_was():
    """The shipped 784-128-10 scenario's 1,000 samples, pinned by a digest of their bytes."""
    import hashlib

    samples = load_scenario(SCENARIOS / "mlp784.toml").samples
    assert hashlib.sha256(samples.x.tobytes()).hexdigest()[:16] == MLP784_X
    assert hashlib.sha256(samples.y.tobytes()).hexdigest()[:16] == MLP784_Y
