"""app/weights_io.py: LSTM layers from .safetensors and .npz files, in PyTorch and Keras naming."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from collections.abc import Iterator, Mapping

import numpy as np
import pytest
from safetensors.numpy import save as save_safetensors

from app.config import get_settings
from app.engine.layer import Layer
from app.engine.lstm import WEIGHT_NAMES, LSTMWeights
from app.file_errors import Malformed, TooLarge, Unusable
from app.weights_io import export_weights, import_layer
from tests.helpers import require_torch, set_limits


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    yield
    get_settings.cache_clear()


def torch_layer(seed: int, inputs: int = 3, hidden: int = 5) -> dict[str, np.ndarray]:
    """One layer's tensors in PyTorch's naming (without the _l0 suffix), as float32."""
    rng = np.random.default_rng(seed)
    shapes = {"weight_ih": (4 * hidden, inputs), "weight_hh": (4 * hidden, hidden),
              "bias_ih": (4 * hidden,), "bias_hh": (4 * hidden,)}  # fmt: skip
    return {name: rng.uniform(-1, 1, shape).astype(np.float32) for name, shape in shapes.items()}


def npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def safetensors_raw(header: Mapping[str, object], data: bytes) -> bytes:
    """A .safetensors file with whatever header it is given, lies included."""
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def layer_file(fmt: str, **arrays: np.ndarray) -> bytes:
    return save_safetensors(arrays) if fmt == "safetensors" else npz(**arrays)


def suffixed(layer: dict[str, np.ndarray], suffix: str, prefix: str = "") -> dict[str, np.ndarray]:
    return {f"{prefix}{name}{suffix}": value for name, value in layer.items()}


def assert_weights_equal(weights: Layer, expected: dict[str, np.ndarray]) -> None:
    for name in WEIGHT_NAMES:
        np.testing.assert_array_equal(getattr(weights, name), expected[name].astype(np.float64), name)


# --- PyTorch naming -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
def test_stacked_layers_under_a_prefix_import_exactly_and_are_listed_in_order(fmt: str) -> None:
    layer0, layer1 = torch_layer(0, inputs=3, hidden=5), torch_layer(1, inputs=5, hidden=5)
    head: dict[str, np.ndarray] = {"head.weight": np.ones((1, 5), np.float32), "step": np.array(7, np.int64)}
    data = layer_file(
        fmt,
        **suffixed(layer1, "_l1", "encoder.lstm."),  # out of order on purpose
        **suffixed(layer0, "_l0", "encoder.lstm."),
        **head,
    )

    first = import_layer(data)
    second = import_layer(data, layer="encoder.lstm.l1")

    assert [layer.summary() for layer in first.layers] == [
        {"id": "encoder.lstm.l0", "naming": "pytorch", "H": 5, "D": 3, "reverse": False},
        {"id": "encoder.lstm.l1", "naming": "pytorch", "H": 5, "D": 5, "reverse": False},
    ]
    assert first.layer.id == "encoder.lstm.l0" and second.layer.id == "encoder.lstm.l1"
    assert_weights_equal(first.weights, layer0)
    assert_weights_equal(second.weights, layer1)


def test_layers_are_numbered_not_sorted_as_text() -> None:
    tensors = {**suffixed(torch_layer(10, 2, 2), "_l10"), **suffixed(torch_layer(2, 2, 2), "_l2")}
    ids = [layer.id for layer in import_layer(save_safetensors(tensors)).layers]
    assert ids == ["l2", "l10"]


def test_a_model_without_biases_imports_with_zero_biases() -> None:
    layer = torch_layer(3)
    data = npz(weight_ih_l0=layer["weight_ih"], weight_hh_l0=layer["weight_hh"])

    weights = import_layer(data).weights

    np.testing.assert_array_equal(weights.bias_ih, np.zeros(20))
    np.testing.assert_array_equal(weights.bias_hh, np.zeros(20))
    np.testing.assert_array_equal(weights.weight_hh, layer["weight_hh"])


def test_the_reverse_direction_of_a_bidirectional_lstm_is_a_layer_of_its_own() -> None:
    forward, backward = torch_layer(4), torch_layer(5)
    data = save_safetensors({**suffixed(forward, "_l0", "rnn."), **suffixed(backward, "_l0_reverse", "rnn.")})

    found = import_layer(data, layer="rnn.l0_reverse")

    assert [(layer.id, layer.reverse) for layer in found.layers] == [
        ("rnn.l0", False),
        ("rnn.l0_reverse", True),
    ]
    assert_weights_equal(found.weights, backward)


def test_an_lstm_cell_without_layer_suffix_is_found_by_its_prefix() -> None:
    layer = torch_layer(6)
    found = import_layer(save_safetensors(suffixed(layer, "", "decoder.cell.")))
    assert found.layer.id == "decoder.cell"
    assert_weights_equal(found.weights, layer)


def test_bfloat16_and_float16_widen_to_the_same_numbers_torch_holds() -> None:
    require_torch()
    import torch
    from safetensors.torch import save as save_torch

    lstm = torch.nn.LSTM(3, 4)
    for dtype in (torch.bfloat16, torch.float16):
        state = {name: value.to(dtype) for name, value in lstm.state_dict().items()}
        weights = import_layer(save_torch(state)).weights
        for name in WEIGHT_NAMES:
            expected = state[f"{name}_l0"].to(torch.float64).numpy()
            np.testing.assert_array_equal(getattr(weights, name), expected, f"{dtype} {name}")


# --- Keras naming -------------------------------------------------------------------------------


def keras_arrays(layer: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What Keras would hold for this PyTorch layer, built gate by gate: Keras keeps each gate in
    a block of columns, in the order i, f, c, o, where c is PyTorch's g."""
    hidden = layer["weight_hh"].shape[1]
    torch_rows = {gate: slice(k * hidden, (k + 1) * hidden) for k, gate in enumerate("ifgo")}
    keras_order = ["i", "f", "g", "o"]  # Keras's i, f, c, o
    kernel = np.hstack([layer["weight_ih"][torch_rows[gate]].T for gate in keras_order])
    recurrent = np.hstack([layer["weight_hh"][torch_rows[gate]].T for gate in keras_order])
    bias = np.concatenate([(layer["bias_ih"] + layer["bias_hh"])[torch_rows[gate]] for gate in keras_order])
    return {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}


@pytest.mark.parametrize(
    ("names", "layer_id"),
    [
        ({"kernel": "kernel", "recurrent_kernel": "recurrent_kernel", "bias": "bias"}, "lstm"),
        ({k: f"lstm/lstm_cell/{k}:0" for k in ("kernel", "recurrent_kernel", "bias")}, "lstm/lstm_cell"),
        ({k: f"layers.0.{k}" for k in ("kernel", "recurrent_kernel", "bias")}, "layers.0"),
    ],
)
def test_keras_arrays_import_to_the_pytorch_weights_they_were_built_from(
    names: dict[str, str], layer_id: str
) -> None:
    layer = {name: value.astype(np.float64) for name, value in torch_layer(7, inputs=3, hidden=4).items()}
    keras = keras_arrays(layer)
    dense = {"dense/kernel:0": np.ones((4, 1)), "dense/bias:0": np.zeros(1)}  # not an LSTM: ignored

    found = import_layer(npz(**{names[k]: v for k, v in keras.items()}, **dense))

    assert [summary.summary() for summary in found.layers] == [
        {"id": layer_id, "naming": "keras", "H": 4, "D": 3, "reverse": False}
    ]
    np.testing.assert_array_equal(found.weights.weight_ih, layer["weight_ih"])
    np.testing.assert_array_equal(found.weights.weight_hh, layer["weight_hh"])
    np.testing.assert_allclose(
        found.weights.bias_ih + found.weights.bias_hh, layer["bias_ih"] + layer["bias_hh"]
    )
    np.testing.assert_array_equal(found.weights.bias_hh, np.zeros(16))


def test_keras_cudnn_bias_of_8h_splits_into_input_and_recurrent_biases() -> None:
    layer = {name: value.astype(np.float64) for name, value in torch_layer(8, inputs=2, hidden=3).items()}
    keras = keras_arrays(layer)
    keras["bias"] = np.concatenate([layer["bias_ih"], layer["bias_hh"]])

    weights = import_layer(npz(**keras)).weights

    np.testing.assert_array_equal(weights.bias_ih, layer["bias_ih"])
    np.testing.assert_array_equal(weights.bias_hh, layer["bias_hh"])


def test_keras_layer_without_bias_imports_with_zero_biases() -> None:
    keras = keras_arrays(torch_layer(9, inputs=2, hidden=3))
    weights = import_layer(npz(kernel=keras["kernel"], recurrent_kernel=keras["recurrent_kernel"])).weights
    assert not weights.bias_ih.any() and not weights.bias_hh.any()


# --- export ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
def test_export_then_import_gives_identical_weights(fmt: str) -> None:
    rng = np.random.default_rng(11)
    weights = LSTMWeights(
        rng.normal(size=(12, 2)), rng.normal(size=(12, 3)), rng.normal(size=12), rng.normal(size=12)
    )

    found = import_layer(export_weights(weights, fmt))  # type: ignore[arg-type]

    assert found.layer.id == "l0"
    for name in WEIGHT_NAMES:
        np.testing.assert_array_equal(getattr(found.weights, name), getattr(weights, name))


@pytest.mark.parametrize("fmt", ["safetensors", "npz"])
def test_exported_file_loads_into_torch_nn_lstm_by_name(fmt: str) -> None:
    require_torch()
    import torch
    from safetensors.torch import load as load_torch

    rng = np.random.default_rng(12)
    weights = LSTMWeights(
        rng.normal(size=(8, 3)), rng.normal(size=(8, 2)), rng.normal(size=8), rng.normal(size=8)
    )
    data = export_weights(weights, fmt)  # type: ignore[arg-type]
    if fmt == "safetensors":
        state = load_torch(data)
    else:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            state = {name: torch.from_numpy(arrays[name]) for name in arrays.files}

    lstm = torch.nn.LSTM(3, 2, dtype=torch.float64)
    lstm.load_state_dict(state)  # strict: exactly these four names and shapes

    assert torch.equal(lstm.state_dict()["weight_hh_l0"], torch.from_numpy(weights.weight_hh))


# --- refusals -------------------------------------------------------------------------------------


def refused(
    data: bytes, kind: type[Exception], *fragments: str, filename: str = "", layer: str | None = None
) -> str:
    with pytest.raises(kind) as caught:
        import_layer(data, filename, layer)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_wrong_shape_is_explained_with_the_h_that_weight_ih_implies() -> None:
    layer = torch_layer(0, inputs=3, hidden=16)
    layer["weight_hh"] = np.zeros((64, 8), np.float32)
    refused(
        save_safetensors(suffixed(layer, "_l0")),
        Unusable,
        "weight_hh_l0 has shape (64, 8), but weight_ih_l0 (64, 3) means H=16, "
        "so weight_hh_l0 must be (64, 16)",
    )


def test_wrong_bias_length_and_gru_shapes_are_named() -> None:
    layer = torch_layer(0, inputs=3, hidden=4)
    layer["bias_hh"] = np.zeros(15, np.float32)
    refused(npz(**suffixed(layer, "_l0")), Unusable, "bias_hh_l0 has shape (15,)", "must be (16,)")

    gru = {"weight_ih_l0": np.zeros((48, 3), np.float32), "weight_hh_l0": np.zeros((48, 16), np.float32)}
    refused(npz(**gru), Unusable, "weight_hh_l0 has shape (48, 16)", "GRU")


def test_keras_kernel_that_disagrees_with_recurrent_kernel_is_named() -> None:
    keras = keras_arrays(torch_layer(0, inputs=3, hidden=4))
    keras["kernel"] = keras["kernel"][:, :12]
    refused(npz(**keras), Unusable, "kernel has shape (3, 12), but recurrent_kernel (4, 16) means H=4")


@pytest.mark.parametrize(
    ("drop", "fragment"),
    [
        ("weight_hh", "enc.weight_hh_l0 is missing; layer enc.l0 has only enc.weight_ih_l0"),
        ("weight_ih", "enc.weight_ih_l0 is missing"),
        ("bias_hh", "enc.bias_hh_l0 is missing, but enc.bias_ih_l0 is there"),
    ],
)
def test_missing_tensor_is_named(drop: str, fragment: str) -> None:
    layer = torch_layer(0)
    del layer[drop]
    refused(npz(**suffixed(layer, "_l0", "enc.")), Unusable, fragment)


def test_keras_layer_without_kernel_is_named() -> None:
    refused(npz(**{"lstm/recurrent_kernel:0": np.zeros((2, 8))}), Unusable, "lstm/kernel:0 is missing")


@pytest.mark.parametrize(
    ("dtype", "fragment"),
    [
        (np.int64, "weight_ih_l0 has dtype int64 (integers)"),
        (np.complex64, "weight_ih_l0 has dtype complex64 (complex numbers)"),
        (np.bool_, "weight_ih_l0 has dtype bool (booleans)"),
    ],
)
def test_non_float_dtypes_are_refused_naming_the_tensor(dtype: type, fragment: str) -> None:
    layer = {
        name: value.astype(dtype) if name == "weight_ih" else value for name, value in torch_layer(0).items()
    }
    refused(
        npz(**suffixed(layer, "_l0")), Unusable, fragment, "accepted are float16, float32, float64, bfloat16"
    )


def test_integer_safetensors_tensor_is_refused_naming_it() -> None:
    layer = torch_layer(0)
    layer["weight_hh"] = layer["weight_hh"].astype(np.int32)
    refused(save_safetensors(suffixed(layer, "_l0")), Unusable, "weight_hh_l0 has dtype int32")


def test_pickled_object_array_in_npz_is_refused_without_unpickling() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, archive.open("weight_ih_l0.npy", "w") as entry:
        # A pickle that would run code if loaded: np.load(allow_pickle=True) would call print.
        np.lib.format.write_array(entry, np.array([print], dtype=object), allow_pickle=True)
    refused(buffer.getvalue(), Unusable, "weight_ih_l0.npy holds pickled Python objects (dtype object)")


def test_torch_save_checkpoint_is_refused_as_a_pickle() -> None:
    require_torch()
    import torch

    buffer = io.BytesIO()
    torch.save(torch.nn.LSTM(2, 3).state_dict(), buffer)
    refused(buffer.getvalue(), Unusable, "torch.save checkpoint", "never loaded", filename="model.pt")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [(np.nan, "weight_hh_l0 holds nan at [3, 1]"), (np.inf, "weight_hh_l0 holds inf at [3, 1]"),
     (5e3, "weight_hh_l0 holds 5000 at [3, 1], beyond ±1000")],
)  # fmt: skip
def test_non_finite_or_huge_values_are_refused_with_their_place(value: float, fragment: str) -> None:
    layer = torch_layer(0)
    layer["weight_hh"][3, 1] = value
    refused(save_safetensors(suffixed(layer, "_l0")), Unusable, fragment)


def test_truncated_zip_is_refused() -> None:
    data = npz(**suffixed(torch_layer(0), "_l0"))
    refused(data[: len(data) // 2], Malformed, "not a readable .npz", "truncated")


def test_truncated_safetensors_is_refused() -> None:
    data = save_safetensors(suffixed(torch_layer(0), "_l0"))
    refused(data[:-10], Malformed, "truncated: the header declares", "but only")
    refused(data[:20], Malformed, "announce a", "only 12 bytes follow")


def test_safetensors_header_lying_about_offsets_or_sizes_is_refused() -> None:
    data = bytes(4 * 12)
    tensor = {"dtype": "F32", "shape": [4, 3]}
    refused(
        safetensors_raw({"a": {**tensor, "data_offsets": [0, 40]}}, data),
        Malformed,
        "needs 48 bytes",
        "span 40",
    )
    overlapping = {"a": {**tensor, "data_offsets": [0, 48]}, "b": {**tensor, "data_offsets": [24, 72]}}
    refused(safetensors_raw(overlapping, data + bytes(24)), Malformed, "b's data_offsets [24, 72] overlaps")
    refused(
        safetensors_raw({"a": {**tensor, "data_offsets": [0, 48]}}, data + b"xx"), Malformed, "2 bytes follow"
    )
    refused(
        safetensors_raw({"a": {**tensor, "shape": [4, -3], "data_offsets": [0, 48]}}, data),
        Malformed,
        "shape",
    )
    refused(safetensors_raw({"a": {"dtype": "F32"}}, data), Malformed, "needs dtype, shape and data_offsets")
    refused(struct.pack("<Q", 5) + b"{nope", Malformed, "not valid UTF-8 JSON")


def test_too_many_tensors_are_refused_before_reading_them(monkeypatch: pytest.MonkeyPatch) -> None:
    set_limits(monkeypatch, max_tensors=3)
    layer = suffixed(torch_layer(0), "_l0")
    refused(save_safetensors(layer), TooLarge, "holds 4 tensors; at most 3", "LSTM_CONVEYOR_MAX_TENSORS")
    refused(npz(**layer), TooLarge, "holds 4 entries; at most 3")


def zip_bomb() -> bytes:
    """About 65 KiB that inflate to 64 MiB of zeros."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("weight_ih_l0.npy", "w") as entry,
    ):
        np.lib.format.write_array(entry, np.zeros((4096, 4096), np.float32))
    return buffer.getvalue()


def never_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("an entry was opened: the check came too late")

    monkeypatch.setattr(zipfile.ZipFile, "open", fail)


def test_zip_bomb_is_refused_by_its_declared_size_before_inflating(monkeypatch: pytest.MonkeyPatch) -> None:
    set_limits(monkeypatch, max_unpacked_bytes=1_000_000, max_compression_ratio=1e9)
    data = zip_bomb()
    never_opened(monkeypatch)
    message = refused(data, TooLarge, "declare 67108992 bytes unpacked", "LSTM_CONVEYOR_MAX_UNPACKED_BYTES")
    assert "at most 1000000" in message


def test_zip_bomb_is_refused_by_its_compression_ratio_before_inflating(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = zip_bomb()
    assert len(data) < 100_000
    never_opened(monkeypatch)
    refused(
        data, TooLarge, "would inflate from", "(1027×)", "LSTM_CONVEYOR_MAX_COMPRESSION_RATIO", "zip bomb"
    )


def test_zip_entry_that_inflates_past_its_declared_size_is_cut_off_and_refused() -> None:
    """The directory declares a small, self-consistent .npy; the entry really holds 32 MiB more."""
    layer = suffixed(torch_layer(0), "_l0")
    honest = io.BytesIO()
    np.lib.format.write_array(honest, layer.pop("weight_hh_l0"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in layer.items():
            with archive.open(f"{name}.npy", "w") as entry:
                np.lib.format.write_array(entry, value)
        with archive.open("weight_hh_l0.npy", "w") as entry:
            entry.write(honest.getvalue())
            for _ in range(32):
                entry.write(bytes(1024 * 1024))
    data = bytearray(buffer.getvalue())
    record = data.rindex(b"PK\x01\x02")  # the last entry's central directory record
    data[record + 24 : record + 28] = struct.pack("<I", len(honest.getvalue()))  # its uncompressed size

    refused(bytes(data), Malformed, "weight_hh_l0.npy cannot be unpacked", "CRC")


@pytest.mark.parametrize(
    ("data", "filename", "fragment"),
    [
        (b"", "", "the file is empty"),
        (b"just some text, not tensors", "notes.txt", "neither a .safetensors file nor an .npz archive"),
        (b"\x80\x04K\x01.", "model.pth", "PyTorch pickles are never loaded"),
        (b"\x89HDF\r\n\x1a\n", "model.h5", "Keras files are not read"),
        (b"not a zip at all", "weights.npz", "not a readable .npz"),
    ],
)
def test_files_of_other_kinds_are_refused(data: bytes, filename: str, fragment: str) -> None:
    refused(data, Malformed, fragment, filename=filename)


def test_file_without_lstm_tensors_lists_what_it_holds() -> None:
    refused(
        npz(embedding=np.zeros((3, 2))),
        Unusable,
        "no LSTM layer found among the file's 1 tensors (embedding)",
    )


def test_unknown_layer_is_refused_listing_the_available_ones() -> None:
    data = npz(**suffixed(torch_layer(0), "_l0"), **suffixed(torch_layer(1, inputs=5), "_l1"))
    refused(data, Unusable, "the file has no layer 'l7'; it has: l0, l1", layer="l7")


def test_layer_over_the_size_limits_is_not_listed_and_naming_it_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_limits(monkeypatch, max_hidden=8)
    data = npz(**suffixed(torch_layer(0, hidden=16), "_l0"), **suffixed(torch_layer(1, hidden=4), "_l1"))

    assert [layer.id for layer in import_layer(data).layers] == ["l1"]
    refused(data, TooLarge, "layer l0 has H=16; at most 8 (LSTM_CONVEYOR_MAX_HIDDEN)", layer="l0")


def test_projection_lstm_is_refused_clearly() -> None:
    tensors = suffixed(torch_layer(0), "_l0") | {"weight_hr_l0": np.zeros((2, 5), np.float32)}
    refused(npz(**tensors), Unusable, "weight_hr_l0 is a projection")


def test_file_over_the_upload_limit_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    set_limits(monkeypatch, max_upload_bytes=100)
    refused(bytes(101), TooLarge, "101 bytes; at most 100")
