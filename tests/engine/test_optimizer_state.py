"""The optimizer's state is part of the record: the fused iteration and the per-operation path
compute it bit for bit alike, every history policy gives it back bit-identical, and edits,
undo, branches and a new α carry it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import Session, parse_scenario
from nnstep.engine.kept_records import Policy, _checkpoint
from nnstep.engine.model import Model
from nnstep.engine.records import same
from nnstep.engine.step import first_record, next_iteration, next_record

OPTIMIZERS = {
    "momentum": 'kind = "sgd"\nmomentum = 0.9\nweight_decay = 0.01',
    "nesterov": 'kind = "sgd"\nmomentum = 0.5\nnesterov = true',
    "adam": 'kind = "adam"\nweight_decay = 0.001',
    "adamw": 'kind = "adamw"',
}
LOSSES = ["mse", "softmax_cross_entropy", "bce_with_logits", "half_squared_error"]


def text(make, loss: str, optimizer: str, seed: int = 3, batch: int = 2, epochs: int = 3,
         lr: float = 0.1) -> str:
    rng = np.random.default_rng(seed)
    layers = [{"name": "L1", "kind": "input", "size": 3},
              {"name": "L2", "kind": "linear", "size": 4, "bias": True,
               "weights": rng.normal(size=(4, 3)).tolist(), "biases": [0.1, -0.2, 0.3, 0.0]},
              {"name": "L3", "kind": "relu"},
              {"name": "L4", "kind": "linear", "size": 3, "bias": seed % 2 == 0,
               "weights": rng.normal(size=(3, 4)).tolist()}]
    if seed % 2 == 0:
        layers[3]["biases"] = [0.0, 0.2, -0.1]
    targets = np.eye(3)[rng.integers(0, 3, 5)]
    samples = [(rng.normal(size=3).tolist(), t.tolist()) for t in targets]
    base = make(layers, samples, batch_size=batch, epochs=epochs, order="shuffle", seed=seed,
                learning_rate=lr)
    return base + f'\n[loss]\nkind = "{loss}"\n\n[optimizer]\n{optimizer}\n'


@given(loss=st.sampled_from(LOSSES), optimizer=st.sampled_from(list(OPTIMIZERS)),
       seed=st.integers(0, 50), batch=st.integers(1, 3))
def test_fused_and_per_operation_paths_are_bit_identical(make_scenario_text, loss, optimizer,
                                                         seed, batch):
    scenario = parse_scenario(text(make_scenario_text, loss, OPTIMIZERS[optimizer], seed, batch,
                                   epochs=1), "fused.toml")
    model = Model.of(scenario)
    rec = first_record(scenario)
    for _ in range(model.schedule.iterations):
        fused = next_iteration(rec, model)
        from_checkpoint = next_iteration(_checkpoint(rec), model) if rec.index else fused
        stepped = rec
        for _ in range(model.schedule.ops_per_iteration):
            stepped = next_record(stepped, model)
        assert same(fused, stepped) and same(from_checkpoint, stepped)
        assert stepped.new_state.step == stepped.iteration
        rec = stepped


def test_same_sees_a_different_state(make_scenario_text):
    """Guard for the tests here: records that differ only in their optimizer state differ."""
    scenario = parse_scenario(text(make_scenario_text, "mse", OPTIMIZERS["adam"]), "a.toml")
    session = Session(scenario)
    rec = session.goto_iteration(2)
    other = rec.with_(new_state=rec.state)
    assert same(rec, rec) and not same(rec, other)


@pytest.mark.parametrize("policy", [Policy(keep_ops=False, cache_ops=2, cache_ends=1),
                                    Policy(keep_ops=False, keep_ends=False, every=2, cache_ops=2,
                                           cache_ends=1)], ids=["ends", "checkpoints"])
def test_every_policy_gives_the_state_back_bit_identical(make_scenario_text, policy):
    scenario = parse_scenario(text(make_scenario_text, "softmax_cross_entropy",
                                   OPTIMIZERS["adam"]), "p.toml")
    full, sparse = Session(scenario), Session(scenario, policy=policy)
    full.last()
    order = np.random.default_rng(1).permutation(full.last_index + 1)
    for index in order.tolist():
        assert same(sparse.goto(index), full.at(index)), index


def test_edits_undo_and_a_new_learning_rate_carry_the_state(make_scenario_text):
    scenario = parse_scenario(text(make_scenario_text, "mse", OPTIMIZERS["momentum"]), "e.toml")
    session = Session(scenario)
    opi = session.schedule.ops_per_iteration
    session.goto(3 * opi + 2)  # inside iteration 4: its velocity is the one after iteration 3
    before = session.record
    velocity = before.state.buffers[1]["velocity"]["w"]
    assert before.state.step == 3 and np.abs(velocity).sum() > 0
    session.set_learning_rate("0.05")
    edited = session.record
    assert edited.lr == 0.05 and edited.state.step == 3
    assert edited.state.buffers[1]["velocity"]["w"] is velocity  # carried, not recomputed
    session.set_weight(1, 0, 0, "0.5")
    assert session.record.state.buffers[1]["velocity"]["w"] is velocity
    end = session.goto_iteration(4)
    assert end.new_state.step == 4
    assert not end.new_state.buffers[1]["velocity"]["w"].flags.writeable
    # the step made from the carried velocity: v = μ·v + (δw + λ·w)
    w, g = end.params[1]["w"], end.grads[1]["w"]
    np.testing.assert_array_equal(end.new_state.buffers[1]["velocity"]["w"],
                                  0.9 * velocity + (g + 0.01 * w))
    assert session.undo() and session.undo()
    assert same(session.goto(before.index), before)
    # replaying the same edits gives the same records, state included
    session.set_learning_rate("0.05")
    session.set_weight(1, 0, 0, "0.5")
    replayed = Session.replay(scenario, session.edit_log)
    session.goto_iteration(6)
    assert same(replayed.goto_iteration(6), session.record)


def test_plain_sgd_has_no_state_arrays_and_counts_its_steps(make_scenario_text):
    base = text(make_scenario_text, "mse", 'kind = "sgd"')
    session = Session(parse_scenario(base, "plain.toml"))
    rec = session.goto_iteration(2)
    assert rec.new_state.step == 2 and all(not b for b in rec.new_state.buffers)
