"""GRU layers from files: PyTorch's nn.GRU (any prefix, stacked layers) and Keras' GRU (both
reset_after variants), each run by the engine and compared step by step with the framework that
made it; what cannot be imported is refused naming the tensor; exports load back."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from app.engine import gru
from app.engine.gru import GRUWeights
from app.engine.lstm import LSTMWeights
from app.file_errors import Unusable
from app.weights_io import export_weights, import_layer
from tests.helpers import require_keras, require_torch
from tests.test_weights_io import npz, suffixed, torch_layer

PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    yield
    get_settings.cache_clear()


def gru_layer(seed: int, inputs: int = 3, hidden: int = 4) -> dict[str, np.ndarray]:
    """One nn.GRU layer's tensors (no _l0 suffix), uniform in ±1, float64."""
    rng = np.random.default_rng(seed)
    rows = 3 * hidden
    shapes = {
        "weight_ih": (rows, inputs),
        "weight_hh": (rows, hidden),
        "bias_ih": (rows,),
        "bias_hh": (rows,),
    }
    return {name: rng.uniform(-1, 1, shape) for name, shape in shapes.items()}


def as_weights(layer: dict[str, np.ndarray], reset_after: bool = True) -> GRUWeights:
    return GRUWeights(layer["weight_ih"], layer["weight_hh"], layer["bias_ih"], layer["bias_hh"], reset_after)


# --- PyTorch ------------------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
def test_a_stacked_torch_gru_under_a_prefix_imports_and_runs_like_torch_at_every_step(
    tmp_path: Path, fmt: str
) -> None:
    require_torch()
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(3)
    model = torch.nn.Module()
    model.encoder = torch.nn.Module()
    model.encoder.gru = torch.nn.GRU(input_size=3, hidden_size=5, num_layers=2)  # float32, D ≠ H
    model.head = torch.nn.Linear(5, 1)
    path = tmp_path / f"model.{fmt}"
    if fmt == "safetensors":
        save_file(model.state_dict(), path)
    else:
        np.savez(path, **{k: v.numpy() for k, v in model.state_dict().items()})

    first = import_layer(path.read_bytes(), path.name, model="gru")
    second = import_layer(path.read_bytes(), path.name, layer="encoder.gru.l1", model="gru")

    assert [layer.summary() for layer in first.layers] == [
        {"id": "encoder.gru.l0", "naming": "pytorch", "H": 5, "D": 3, "reverse": False, "model": "gru",
         "reset_after": True},
        {"id": "encoder.gru.l1", "naming": "pytorch", "H": 5, "D": 5, "reverse": False, "model": "gru",
         "reset_after": True},
    ]  # fmt: skip
    assert isinstance(first.weights, GRUWeights) and isinstance(second.weights, GRUWeights)
    x = torch.randn(40, 3, dtype=torch.float64)
    trace0 = gru.run(first.weights, x.numpy())
    trace1 = gru.run(second.weights, trace0.h)
    net = model.encoder.gru.double()  # the saved float32 numbers, widened exactly
    with torch.no_grad():
        output, _ = net(x)  # layer 1's h at every step
        alone = torch.nn.GRU(3, 5, dtype=torch.float64)
        for name in PARAMS:
            getattr(alone, f"{name}_l0").copy_(getattr(net, f"{name}_l0"))
        output0, _ = alone(x)  # layer 0's h at every step
    for t in range(40):
        np.testing.assert_allclose(trace0.h[t], output0[t].numpy(), atol=1e-6, rtol=0, err_msg=f"l0, t={t}")
        np.testing.assert_allclose(trace1.h[t], output[t].numpy(), atol=1e-6, rtol=0, err_msg=f"l1, t={t}")


def test_a_gru_without_biases_imports_with_zero_biases_and_a_reverse_direction_is_a_layer() -> None:
    layer = gru_layer(1)
    data = npz(**suffixed({k: v for k, v in layer.items() if "weight" in k}, "_l0_reverse", "rnn."))

    found = import_layer(data, layer="rnn.l0_reverse", model="gru")

    assert isinstance(found.weights, GRUWeights) and found.layer.reverse
    assert not found.weights.bias_ih.any() and not found.weights.bias_hh.any()
    np.testing.assert_array_equal(found.weights.weight_hh, layer["weight_hh"])


def test_in_a_file_with_an_lstm_and_a_gru_each_kind_asked_for_loads_and_the_other_is_skipped() -> None:
    lstm = {k: v.astype(np.float64) for k, v in torch_layer(2, inputs=3, hidden=4).items()}
    data = npz(**suffixed(lstm, "_l0", "lstm."), **suffixed(gru_layer(2), "_l0", "gru."))  # in this order

    as_lstm, as_gru = import_layer(data), import_layer(data, model="gru")

    assert [layer.id for layer in as_lstm.layers] == ["lstm.l0"] and isinstance(as_lstm.weights, LSTMWeights)
    # Asked for an LSTM, a GRU is skipped exactly as before GRUs could be imported.
    assert str(as_lstm.skipped["gru.l0"]).startswith("gru.weight_hh_l0 has shape (12, 4)")
    assert str(as_lstm.skipped["gru.l0"]).endswith("(3H × H is a GRU's shape, not an LSTM's)")
    assert [layer.id for layer in as_gru.layers] == ["gru.l0"] and isinstance(as_gru.weights, GRUWeights)
    assert as_gru.skipped["lstm.l0"].code == "gru_hh_shape"
    assert str(as_gru.skipped["lstm.l0"]) == (
        "lstm.weight_hh_l0 has shape (16, 4); a GRU's is (3H, H), gate rows r, z, n "
        "(4H × H is an LSTM's shape, not a GRU's)"
    )


# --- Keras --------------------------------------------------------------------------------------


def keras_gru(reset_after: bool, inputs: int, hidden: int, seed: int) -> Any:
    """A built Keras GRU (float64) with weights uniform in ±1, so every gate and bias matters."""
    keras = require_keras()
    layer = keras.layers.GRU(hidden, reset_after=reset_after, return_sequences=True, dtype="float64")
    layer.build((1, None, inputs))
    rng = np.random.default_rng(seed)
    for variable in layer.weights:
        variable.assign(rng.uniform(-1, 1, tuple(variable.shape)))
    return layer


@pytest.mark.torch
@pytest.mark.parametrize("reset_after", [True, False])
def test_a_keras_gru_imports_and_runs_like_keras_at_every_step(reset_after: bool) -> None:
    layer = keras_gru(reset_after, inputs=3, hidden=4, seed=5)
    # Keras' own variable names ("gru/gru_cell/kernel", …), as layer.get_weights() would be saved.
    arrays = {v.path: v.value.detach().numpy() for v in layer.weights}
    assert arrays[f"{layer.name}/gru_cell/bias"].shape == ((2, 12) if reset_after else (12,))
    rng = np.random.default_rng(6)
    x, h0 = rng.standard_normal((30, 3)), rng.uniform(-0.9, 0.9, 4)
    expected = layer(x[None], initial_state=[h0[None]]).detach().numpy()[0]  # Keras' h at every step

    found = import_layer(npz(**arrays), model="gru")

    assert found.layer.id == f"{layer.name}/gru_cell" and found.layer.naming == "keras"
    assert found.layer.summary()["reset_after"] is reset_after
    assert isinstance(found.weights, GRUWeights) and found.weights.reset_after is reset_after
    trace = gru.run(found.weights, x, h0)
    for t in range(30):
        np.testing.assert_allclose(trace.h[t], expected[t], atol=1e-6, rtol=0, err_msg=f"t={t}")


def test_keras_gate_order_z_r_h_becomes_pytorchs_r_z_n() -> None:
    hidden = 2
    # Each Keras block of columns filled with its gate's number: z = 1, r = 2, h = 3.
    blocks = np.repeat([1.0, 2.0, 3.0], hidden)
    kernel, recurrent = np.tile(blocks, (3, 1)), np.tile(blocks, (hidden, 1))
    bias = np.stack([blocks, 10 * blocks])

    weights = import_layer(npz(kernel=kernel, recurrent_kernel=recurrent, bias=bias), model="gru").weights

    assert isinstance(weights, GRUWeights) and weights.reset_after
    np.testing.assert_array_equal(weights.weight_ih[:, 0], [2, 2, 1, 1, 3, 3])  # rows r, z, n
    np.testing.assert_array_equal(weights.weight_hh[:, 1], [2, 2, 1, 1, 3, 3])
    np.testing.assert_array_equal(weights.bias_ih, [2, 2, 1, 1, 3, 3])
    np.testing.assert_array_equal(weights.bias_hh, [20, 20, 10, 10, 30, 30])  # what r scales


def test_a_keras_gru_without_bias_is_taken_as_keras_default_reset_after() -> None:
    rng = np.random.default_rng(7)
    arrays = {"kernel": rng.normal(size=(2, 9)), "recurrent_kernel": rng.normal(size=(3, 9))}
    found = import_layer(npz(**arrays), model="gru")
    assert isinstance(found.weights, GRUWeights) and found.weights.reset_after
    assert not found.weights.bias_ih.any() and not found.weights.bias_hh.any()


# --- refusals -----------------------------------------------------------------------------------


def refused(data: bytes, *fragments: str) -> str:
    """The English text of the refusal of `data`'s first layer, asked for as a GRU."""
    with pytest.raises(Unusable) as caught:
        import_layer(data, model="gru")
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_an_lstm_or_an_odd_layer_asked_for_as_a_gru_is_refused_naming_its_recurrent_matrix() -> None:
    lstm = suffixed(torch_layer(3, inputs=2, hidden=4), "_l0")
    refused(npz(**lstm), "weight_hh_l0 has shape (16, 4); a GRU's is (3H, H)", "an LSTM's shape, not a GRU's")
    keras = {"kernel": np.zeros((2, 16)), "recurrent_kernel": np.zeros((4, 16))}
    refused(
        npz(**keras), "recurrent_kernel has shape (4, 16); a Keras GRU's is (H, 3H), gate columns z, r, h"
    )
    message = refused(npz(weight_ih_l0=np.zeros((5, 2)), weight_hh_l0=np.zeros((5, 5))), "(5, 5); a GRU's")
    assert "LSTM's shape" not in message
    refused(npz(embedding=np.zeros((3, 2))), "no GRU layer found among the file's 1 tensors (embedding)")


def test_a_torch_gru_whose_tensors_disagree_is_refused_naming_the_tensor() -> None:
    layer = gru_layer(8, inputs=3, hidden=4)
    layer["weight_ih"] = np.zeros((16, 3))
    refused(
        npz(**suffixed(layer, "_l0")),
        "weight_ih_l0 has shape (16, 3), but weight_hh_l0 (12, 4) means H=4, so weight_ih_l0 must be (12, D)",
    )
    layer = gru_layer(8, inputs=3, hidden=4)
    layer["bias_hh"] = np.zeros(16)
    refused(npz(**suffixed(layer, "_l0")), "bias_hh_l0 has shape (16,)", "must be (12,)")
    del layer["bias_hh"]
    refused(npz(**suffixed(layer, "_l0")), "bias_hh_l0 is missing, but bias_ih_l0 is there; an nn.GRU")


def test_a_keras_gru_bias_of_another_shape_is_refused_saying_both_shapes_keras_writes() -> None:
    rng = np.random.default_rng(9)
    arrays = {
        "kernel": rng.normal(size=(2, 9)),
        "recurrent_kernel": rng.normal(size=(3, 9)),
        "bias": np.zeros(18),
    }
    message = refused(npz(**arrays), "bias has shape (18,)", "(2, 9) with reset_after=True")
    assert "(9,) with reset_after=False" in message
    arrays["kernel"] = rng.normal(size=(2, 12))
    refused(npz(**arrays), "kernel has shape (2, 12), but recurrent_kernel (3, 9) means H=3")


# --- export ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
@pytest.mark.parametrize("reset_after", [True, False])
def test_an_exported_gru_imports_back_as_the_same_model(fmt: str, reset_after: bool) -> None:
    layer = gru_layer(10)
    weights = as_weights(layer, reset_after)

    found = import_layer(export_weights(weights, fmt), model="gru")  # type: ignore[arg-type]

    assert isinstance(found.weights, GRUWeights) and found.weights.reset_after is reset_after
    x = np.random.default_rng(11).standard_normal((20, 3))
    np.testing.assert_allclose(gru.run(found.weights, x).h, gru.run(weights, x).h, rtol=1e-13, atol=1e-14)
    if reset_after:  # nn.GRU's naming, bit for bit
        for name in PARAMS:
            np.testing.assert_array_equal(getattr(found.weights, name), layer[name])


@pytest.mark.torch
def test_an_exported_gru_loads_into_torch_nn_gru_by_name() -> None:
    require_torch()
    import torch
    from safetensors.torch import load as load_torch

    layer = gru_layer(12, inputs=3, hidden=2)
    net = torch.nn.GRU(3, 2, dtype=torch.float64)
    net.load_state_dict(load_torch(export_weights(as_weights(layer), "safetensors")))
    assert torch.equal(net.state_dict()["weight_hh_l0"], torch.from_numpy(layer["weight_hh"]))


# --- the route ----------------------------------------------------------------------------------


def test_the_upload_route_answers_a_gru_with_its_kind(client: TestClient) -> None:
    data = npz(**suffixed(gru_layer(13, inputs=2, hidden=3), "_l0"))
    response = client.post("/api/weights", files={"file": ("gru.npz", data)}, data={"model": "gru"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == "gru" and body["reset_after"] is True and body["layer"] == "l0"
    assert np.asarray(body["weights"]["weight_ih"]).shape == (9, 2)


def test_the_upload_route_answers_an_lstm_as_before_and_refuses_a_gru_not_asked_for(
    client: TestClient,
) -> None:
    data = npz(**suffixed(torch_layer(14, inputs=2, hidden=3), "_l0"))
    body = client.post("/api/weights", files={"file": ("lstm.npz", io.BytesIO(data))}).json()
    assert set(body) == {"weights", "layer", "layers", "skipped"}

    gru = npz(**suffixed(gru_layer(15, inputs=2, hidden=3), "_l0"))
    refusal = client.post("/api/weights", files={"file": ("gru.npz", gru)})  # a page that draws LSTMs only
    assert refusal.status_code == 422 and refusal.json()["params"]["note"] == "gru_shape"
    wrong = client.post("/api/weights", files={"file": ("gru.npz", gru)}, data={"model": "rnn"})
    assert wrong.status_code == 422


def test_model_auto_imports_an_lstm_as_before_and_a_gru_as_a_gru(client: TestClient) -> None:
    """What the page asks for when it does not know the kind: an LSTM file answers as it always
    did, a GRU file as `model=gru` would, and a file of neither is refused as an LSTM's."""
    lstm = npz(**suffixed(torch_layer(1, inputs=2, hidden=3), "_l0"))
    as_lstm = client.post("/api/weights", files={"file": ("lstm.npz", lstm)}, data={"model": "auto"})
    assert as_lstm.status_code == 200 and "model" not in as_lstm.json()
    assert as_lstm.json() == client.post("/api/weights", files={"file": ("lstm.npz", lstm)}).json()

    layer = gru_layer(2, inputs=2, hidden=3)
    data = npz(**suffixed(layer, "_l0"))
    auto = client.post("/api/weights", files={"file": ("gru.npz", data)}, data={"model": "auto"}).json()
    assert auto["model"] == "gru" and auto["reset_after"] is True
    assert np.allclose(auto["weights"]["weight_hh"], layer["weight_hh"])
    as_gru = client.post("/api/weights", files={"file": ("gru.npz", data)}, data={"model": "gru"}).json()
    assert auto == as_gru

    odd = npz(weight_ih_l0=np.ones((5, 2)), weight_hh_l0=np.ones((5, 5)))
    refused_auto = client.post("/api/weights", files={"file": ("odd.npz", odd)}, data={"model": "auto"})
    refused_lstm = client.post("/api/weights", files={"file": ("odd.npz", odd)})
    assert refused_auto.status_code == refused_lstm.status_code == 422
    assert refused_auto.json() == refused_lstm.json()
