"""A stack of LSTM layers (app/engine/stack.py), read from the files PyTorch's state dict makes
(app/stack_import.py), against torch.nn.LSTM: every layer's and direction's h and c at every step."""

import io
from typing import Any

import numpy as np
import pytest

from app.engine.stack import (
    Stack,
    StackLayer,
    first_changed_row,
    input_of,
    output_above,
    run_kept,
    run_stack,
)
from app.stack_import import import_stack
from app.weights_io import import_layer
from tests.helpers import require_torch

STEPS, INPUTS, HIDDEN = 11, 3, 4


def torch_lstm(layers: int, bidirectional: bool, seed: int) -> Any:
    require_torch()
    import torch

    torch.manual_seed(seed)
    return torch.nn.LSTM(INPUTS, HIDDEN, num_layers=layers, bidirectional=bidirectional).double()


def torch_steps(state: dict[str, Any], name: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """h and c (T, H) of one direction, stepped by nn.LSTMCell with that direction's weights over x
    in the direction's own order: written apart from nn.LSTM, to see c at every step."""
    import torch

    cell = torch.nn.LSTMCell(x.shape[1], HIDDEN).double()
    cell.load_state_dict(
        {role: state[f"{role}_{name}"] for role in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    )
    h, c = torch.zeros(1, HIDDEN, dtype=torch.float64), torch.zeros(1, HIDDEN, dtype=torch.float64)
    hs, cs = [], []
    with torch.no_grad():
        for row in torch.from_numpy(x):
            h, c = cell(row[None], (h, c))
            hs.append(h[0].numpy().copy())
            cs.append(c[0].numpy().copy())
    return np.array(hs), np.array(cs)


def saved(lstm: Any, fmt: str) -> tuple[bytes, str]:
    """The state dict as a .safetensors or an .npz file, with a module prefix as a model saves it."""
    state = {f"rnn.{name}": value.detach().numpy() for name, value in lstm.state_dict().items()}
    if fmt == "safetensors":
        from safetensors.numpy import save

        return save(state), "model.safetensors"
    buffer = io.BytesIO()
    np.savez(buffer, **state)
    return buffer.getvalue(), "model.npz"


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_every_layer_and_direction_matches_torch(fmt: str, bidirectional: bool) -> None:
    import torch

    lstm = torch_lstm(2, bidirectional, seed=3 + bidirectional)
    x = np.random.default_rng(1).standard_normal((STEPS, INPUTS))
    found = import_stack(import_layer(*saved(lstm, fmt)))
    assert found is not None and found.ids == ["rnn.l0", "rnn.l1"] and found.text is None
    runs = run_stack(found.stack, x)
    state = lstm.state_dict()
    below = x
    for k, run in enumerate(runs):
        h, c = torch_steps(state, f"l{k}", below)
        np.testing.assert_allclose(run.forward.h, h, atol=1e-6)
        np.testing.assert_allclose(run.forward.c, c, atol=1e-6)
        outputs = [h]
        if bidirectional:
            assert run.reverse is not None
            h_rev, c_rev = torch_steps(state, f"l{k}_reverse", below[::-1].copy())
            np.testing.assert_allclose(run.reverse.h, h_rev, atol=1e-6)
            np.testing.assert_allclose(run.reverse.c, c_rev, atol=1e-6)
            outputs.append(h_rev[::-1])
        else:
            assert run.reverse is None
        below = np.concatenate(outputs, axis=1)
    with torch.no_grad():
        output, (h_n, c_n) = lstm(torch.from_numpy(x))
    np.testing.assert_allclose(runs[-1].output, output.numpy(), atol=1e-6)
    # h_n: layer 0 forward, (layer 0 reverse,) layer 1 forward, …; a reverse direction ends at t = 0
    directions = [trace for r in runs for trace in (r.forward, r.reverse) if trace is not None]
    finals = [(trace.h[-1], trace.c[-1]) for trace in directions]
    np.testing.assert_allclose(np.array([h for h, _ in finals]), h_n.numpy(), atol=1e-6)
    np.testing.assert_allclose(np.array([c for _, c in finals]), c_n.numpy(), atol=1e-6)


def test_a_layers_input_and_the_output_above_it_rebuild_the_whole_stack() -> None:
    rng = np.random.default_rng(2)

    def layer(inputs: int, reverse: bool) -> StackLayer:
        from app.engine.lstm import LSTMWeights

        def weights() -> LSTMWeights:
            return LSTMWeights(
                *(rng.uniform(-0.5, 0.5, shape) for shape in ((16, inputs), (16, 4), (16,), (16,)))
            )

        return StackLayer(weights(), weights() if reverse else None)

    stack = Stack((layer(3, True), layer(8, True), layer(8, False)))
    x = rng.standard_normal((9, 3))
    runs = run_stack(stack, x)
    assert [view for view in stack.views()] == [(0, False), (0, True), (1, False), (1, True), (2, False)]
    np.testing.assert_array_equal(input_of(stack, x, 2), runs[1].output)
    np.testing.assert_array_equal(output_above(stack, 0, runs[0].output), runs[2].output)
    with pytest.raises(ValueError, match="layer 1 reads 4 values; layer 0 gives 8"):
        Stack((layer(3, True), layer(4, False)))


def test_a_kept_run_reruns_from_the_first_changed_row_and_equals_a_whole_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.engine import stack as stack_module
    from app.engine.lstm import LSTMWeights, run

    rng = np.random.default_rng(5)
    weights = LSTMWeights(*(rng.uniform(-0.6, 0.6, shape) for shape in ((16, 3), (16, 4), (16,), (16,))))
    before = rng.standard_normal((STEPS, 3))
    kept = run_kept(weights, before)
    rows: list[int] = []

    def counted(*args: Any) -> Any:
        rows.append(len(args[1]))
        return run(*args)

    monkeypatch.setattr(stack_module, "run", counted)
    after = before.copy()
    after[6, 1] += 0.5
    rerun = run_kept(weights, after, kept)
    whole = run(weights, after)
    assert rows == [STEPS - 6]  # only rows 6.. ran; rows 0..5 are the kept ones
    np.testing.assert_array_equal(rerun.h[:6], kept.h[:6])
    np.testing.assert_allclose(rerun.h, whole.h, rtol=0, atol=1e-12)
    np.testing.assert_allclose(rerun.c, whole.c, rtol=0, atol=1e-12)
    assert not np.allclose(rerun.c[6:], kept.c[6:])  # the change reached the rows after it
    assert run_kept(weights, after.copy(), rerun) is rerun and rows == [STEPS - 6]  # nothing changed
    other = LSTMWeights(*(rng.uniform(-0.6, 0.6, shape) for shape in ((16, 3), (16, 4), (16,), (16,))))
    np.testing.assert_allclose(run_kept(other, after, rerun).c, run(other, after).c, atol=1e-12)
    assert rows[-1] == STEPS  # other weights: run whole
    assert first_changed_row(after, after.copy()) == STEPS and first_changed_row(after, after[:, :2]) == 0
    # rows both have are compared (a rerun in parts holds the first rows only)
    assert first_changed_row(after, after[:4]) == 4 and first_changed_row(before[:8], after) == 6
    assert first_changed_row(before[:5], after) == 5


def test_a_kept_run_follows_inputs_of_fewer_or_more_rows_as_a_whole_run_does() -> None:
    from app.engine.lstm import LSTMWeights, run

    rng = np.random.default_rng(6)
    weights = LSTMWeights(*(rng.uniform(-0.6, 0.6, shape) for shape in ((16, 3), (16, 4), (16,), (16,))))
    x = rng.standard_normal((STEPS, 3))
    whole = run_kept(weights, x)
    first = run_kept(weights, x[:5], whole)  # the first rows of a kept run, unchanged: its rows
    assert first.h.shape == (5, 4) and np.array_equal(first.h, whole.h[:5])
    grown = run_kept(weights, x, first)  # the rest run on from the kept rows' state
    np.testing.assert_allclose(grown.h, run(weights, x).h, rtol=0, atol=1e-12)
