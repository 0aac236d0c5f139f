"""An LSTM or GRU layer from a .safetensors or .npz file, in PyTorch or Keras naming; and back out.

Reading costs nothing until the file has earned it: the file's table of tensors (names, dtypes,
shapes) is checked first, LSTM layers are recognised by name and checked by shape, and only the
chosen layer's tensors are then read and checked for finite, bounded values. Other tensors in the
file (an embedding, a linear head, an int64 step counter) are never read.

Layers are listed in file order; each has an `id` to choose it by. PyTorch's stacked layers are
`{prefix}l{k}` (e.g. "encoder.lstm.l1"), the backward direction of a bidirectional LSTM
`{prefix}l{k}_reverse`, listed as a layer of its own (its weights run forward in time here,
over whatever x is given); an LSTMCell's and a Keras layer's id is their prefix.

A caller asks for LSTM layers (the default) or GRU layers (app/gru_import.py: PyTorch's weight_hh
(3H, H), Keras' recurrent_kernel (H, 3H), gate order z, r, h); layers of the other kind are listed
as skipped, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .config import get_settings
from .engine.gru import GRUWeights
from .engine.lstm import WEIGHT_NAMES, LSTMWeights
from .file_errors import FileProblem, Malformed, TooLarge, Unusable, setting
from .gru_import import gru_sizes, gru_weights_from, to_keras_gru
from .layer_group import Group, Naming, bias_roles, require
from .numpy_files import ZIP_MAGICS, npz_bytes, open_npz
from .safetensors_file import looks_like_safetensors, open_safetensors, safetensors_bytes
from .tensor_file import Spec, TensorFile, check_values, require_float

Kind = Literal["lstm", "gru"]
ExportFormat = Literal["safetensors", "npz"]

# Liberal in the prefix (any module path, "/" or "." separated), strict in what follows it.
_PREFIX = r"(?P<prefix>(?:.*?[./:_-])??)"  # the shortest: "recurrent_kernel" is not "recurrent_" + kernel
_TORCH = re.compile(
    _PREFIX + r"(?P<role>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(?P<tail>_l(?P<k>\d+)(?:_reverse)?)?$"
)
_KERAS = re.compile(_PREFIX + r"(?P<role>recurrent_kernel|kernel|bias)(?P<tail>:\d+)?$")
# Files of another kind, known by their name, are refused saying what to save instead.
_PICKLES = (".pt", ".pth", ".bin", ".ckpt", ".pkl")
_KERAS_FILES = (".h5", ".keras", ".hdf5")


@dataclass(frozen=True)
class Layer:
    """One loadable LSTM or GRU layer of a file; `tensors` maps each role (weight_ih or kernel, …)
    to the tensor's name in the file."""

    id: str
    naming: Naming
    hidden_size: int
    input_size: int
    reverse: bool
    tensors: dict[str, str]
    kind: Kind = "lstm"
    reset_after: bool | None = None  # a GRU's: where its reset gate acts (see app/engine/gru.py)

    def summary(self) -> dict[str, object]:
        """An LSTM's as it always was; a GRU's says so, and where its reset gate acts."""
        out: dict[str, object] = {"id": self.id, "naming": self.naming, "H": self.hidden_size,
                                  "D": self.input_size, "reverse": self.reverse}  # fmt: skip
        return out if self.kind == "lstm" else out | {"model": "gru", "reset_after": self.reset_after}


@dataclass(frozen=True)
class Imported:
    weights: LSTMWeights | GRUWeights
    layer: Layer  # the one loaded
    layers: list[Layer]  # every loadable layer in the file
    skipped: dict[str, FileProblem]  # layer id → why it cannot be loaded, for layers that look like LSTMs
    tensors: TensorFile | None = None  # the file's table, for what sits beside the layer (text_import.py)


def import_layer(data: bytes, filename: str = "", layer: str | None = None, model: Kind = "lstm") -> Imported:
    """The chosen layer (default: the first loadable one) in PyTorch layout, and all the others.

    `model` says which kind of layer is wanted, as /api/trace's `model` does: layers of the other
    kind are skipped, saying why (an LSTM-only client sees exactly what it always saw)."""
    tensors = open_tensor_file(data, filename)
    candidates = [(group.id, _layer(group, tensors.specs, model)) for group in _groups(tensors.specs)]
    layers = [found for _, found in candidates if isinstance(found, Layer)]
    skipped = {layer_id: found for layer_id, found in candidates if isinstance(found, FileProblem)}
    chosen = _choose(candidates, layer, tensors.specs, model)
    return Imported(_load(tensors, chosen), chosen, layers, skipped, tensors)


def import_either_layer(data: bytes, filename: str = "", layer: str | None = None) -> Imported:
    """An LSTM layer, or a GRU layer when the file's layers have a GRU's shapes (and none an
    LSTM's): what a client that does not know which kind the file holds asks for (`model=auto`)."""
    try:
        return import_layer(data, filename, layer, "lstm")
    except FileProblem as problem:
        if problem.params.get("note") != "gru_shape":
            raise
        return import_layer(data, filename, layer, "gru")


def open_tensor_file(data: bytes, filename: str = "") -> TensorFile:
    """The table of a .safetensors or .npz file, told apart by their first bytes."""
    limit = get_settings().max_upload_bytes
    if len(data) > limit:
        raise TooLarge("file_too_large", size=len(data), limit=limit, setting=setting("max_upload_bytes"))
    if not data:
        raise Malformed("empty_file")
    lower = filename.lower()
    if data.startswith(ZIP_MAGICS):
        return open_npz(data)
    if looks_like_safetensors(data):
        return open_safetensors(data)
    # Neither by content: the name decides which format's reader explains what is wrong.
    if lower.endswith(".npz"):
        return open_npz(data)
    if lower.endswith(".safetensors"):
        return open_safetensors(data)
    if lower.endswith(_PICKLES):
        raise Malformed("pickle_file")
    if lower.endswith(_KERAS_FILES):
        raise Malformed("keras_file")
    raise Malformed("not_tensor_file")


def export_weights(weights: LSTMWeights | GRUWeights, fmt: ExportFormat) -> bytes:
    """One layer in PyTorch naming (weight_ih_l0, …, float64), so nn.LSTM's (or nn.GRU's)
    load_state_dict takes it. nn.GRU cannot run a GRU that resets before W_hn: that one is written in
    Keras naming (kernel, recurrent_kernel, bias (3H,)), which Keras' GRU(reset_after=False) takes and
    which imports back as the same model."""
    if isinstance(weights, GRUWeights) and not weights.reset_after:
        tensors = to_keras_gru(weights)
    else:
        tensors = {f"{name}_l0": np.ascontiguousarray(getattr(weights, name)) for name in WEIGHT_NAMES}
    return safetensors_bytes(tensors) if fmt == "safetensors" else npz_bytes(tensors)


# --- finding layers ---------------------------------------------------------------------------


def _groups(specs: dict[str, Spec]) -> list[Group]:
    """Candidate layers in file order: PyTorch groups, and Keras groups with a recurrent_kernel."""
    groups: dict[tuple[str, str, str], Group] = {}
    first_seen: dict[str, int] = {}  # prefix → position of its first tensor in the file
    for position, name in enumerate(specs):
        match = _TORCH.match(name) or _KERAS.match(name)
        if match is None:
            continue
        first_seen.setdefault(match["prefix"], position)
        naming: Naming = "pytorch" if match.re is _TORCH else "keras"
        key = (naming, match["prefix"], match["tail"] or "")
        group = groups.setdefault(key, Group(naming, match["prefix"], match["tail"] or ""))
        group.members[match["role"]] = name
    found = [g for g in groups.values() if g.naming == "pytorch" or "recurrent_kernel" in g.members]
    # Modules in file order; within one, l0 before l1 before l10, forward before reverse.
    return sorted(found, key=lambda g: (first_seen[g.prefix], _layer_number(g), g.tail.endswith("_reverse")))


def _layer_number(group: Group) -> int:
    digits = re.search(r"\d+", group.tail)
    return int(digits[0]) if digits else 0


def _choose(
    candidates: list[tuple[str, Layer | FileProblem]], wanted: str | None, specs: dict[str, Spec], model: Kind
) -> Layer:
    if not candidates:
        raise _nothing_found(specs, model)
    if wanted is None:
        usable = [found for _, found in candidates if isinstance(found, Layer)]
        chosen: Layer | FileProblem = usable[0] if usable else candidates[0][1]
    else:
        matches = [found for layer_id, found in candidates if layer_id == wanted]
        if not matches:
            raise Unusable(
                "unknown_layer", layer=wanted[:100], layers=[layer_id for layer_id, _ in candidates]
            )
        chosen = matches[0]
    if isinstance(chosen, FileProblem):
        raise chosen
    return chosen


def _nothing_found(specs: dict[str, Spec], model: Kind) -> Unusable:
    names = list(specs)
    if not names:
        return Unusable("no_tensors")
    shown = names[:5] + (["…"] if len(names) > 5 else [])
    if model == "gru":
        return Unusable("no_gru_layer", count=len(names), tensors=shown)
    return Unusable("no_lstm_layer", count=len(names), tensors=shown)


# --- checking a layer from its table alone --------------------------------------------------


def _layer(group: Group, specs: dict[str, Spec], model: Kind) -> Layer | FileProblem:
    """The layer, as the kind of model asked for, if its tensors are there and fit together, else
    the problem (raised if chosen)."""
    reset_after = None
    try:
        for name in group.members.values():
            require_float(name, specs[name])
        if model == "gru":
            hidden, inputs, reset_after = gru_sizes(group, specs)
        else:
            hidden, inputs = (_torch_sizes if group.naming == "pytorch" else _keras_sizes)(group, specs)
        _check_limits(group.id, hidden, inputs)
    except FileProblem as problem:
        return problem
    reverse = group.tail.endswith("_reverse")
    return Layer(group.id, group.naming, hidden, inputs, reverse, dict(group.members), model, reset_after)


def _torch_sizes(group: Group, specs: dict[str, Spec]) -> tuple[int, int]:
    """(H, D) of weight_ih (4H, D), weight_hh (4H, H), bias_ih and bias_hh (4H,), both or neither."""
    if "weight_hr" in group.members:
        raise Unusable("lstm_projection", name=group.name("weight_hr"))
    require(group, ("weight_ih", "weight_hh"))
    ih_name, ih = group.name("weight_ih"), specs[group.name("weight_ih")].shape
    if len(ih) != 2 or ih[0] == 0 or ih[0] % 4 or ih[1] == 0:
        raise Unusable(
            "lstm_ih_shape", name=ih_name, shape=str(ih), note=_kind(specs[group.name("weight_hh")].shape)
        )
    hidden, inputs = ih[0] // 4, ih[1]
    expected = {"weight_hh": (4 * hidden, hidden), "bias_ih": (4 * hidden,), "bias_hh": (4 * hidden,)}
    biases = bias_roles(group)
    for role in ("weight_hh", *biases):
        name, shape = group.name(role), specs[group.name(role)].shape
        if shape != expected[role]:
            raise Unusable(
                "shape_mismatch",
                name=name,
                shape=str(shape),
                reference=ih_name,
                reference_shape=str(ih),
                hidden=hidden,
                expected=str(expected[role]),
                note=_kind(shape) if role == "weight_hh" else None,
            )
    return hidden, inputs


def _keras_sizes(group: Group, specs: dict[str, Spec]) -> tuple[int, int]:
    """(H, D) of recurrent_kernel (H, 4H), kernel (D, 4H), and bias (4H,) if there is one."""
    require(group, ("kernel", "recurrent_kernel"))
    rk_name, rk = group.name("recurrent_kernel"), specs[group.name("recurrent_kernel")].shape
    if len(rk) != 2 or rk[0] == 0 or rk[1] != 4 * rk[0]:
        raise Unusable("keras_recurrent_shape", name=rk_name, shape=str(rk), note=_kind(rk[::-1]))
    hidden = rk[0]
    k_name, kernel = group.name("kernel"), specs[group.name("kernel")].shape
    if len(kernel) != 2 or kernel[0] == 0 or kernel[1] != 4 * hidden:
        raise Unusable(
            "shape_mismatch",
            name=k_name,
            shape=str(kernel),
            reference=rk_name,
            reference_shape=str(rk),
            hidden=hidden,
            expected=f"(D, {4 * hidden})",
            note=None,
        )
    if "bias" in group.members:
        b_name, bias = group.name("bias"), specs[group.name("bias")].shape
        # CuDNNLSTM keeps the input and recurrent biases apart: 8H values.
        if bias not in ((4 * hidden,), (8 * hidden,)):
            raise Unusable(
                "shape_mismatch",
                name=b_name,
                shape=str(bias),
                reference=rk_name,
                reference_shape=str(rk),
                hidden=hidden,
                expected=str((4 * hidden,)),
                note=None,
            )
    return hidden, kernel[0]


def _kind(recurrent: tuple[int, ...]) -> str | None:
    """A note ("gru_shape", "rnn_shape") when a (rows, H) recurrent matrix has another cell's shape."""
    if len(recurrent) != 2 or recurrent[1] == 0:
        return None
    if recurrent[0] == 3 * recurrent[1]:
        return "gru_shape"
    if recurrent[0] == recurrent[1]:
        return "rnn_shape"
    return None


def _check_limits(layer_id: str, hidden: int, inputs: int) -> None:
    settings = get_settings()
    for size, value, limit, name in (
        ("H", hidden, settings.max_hidden, "max_hidden"),
        ("D", inputs, settings.max_inputs, "max_inputs"),
    ):
        if value > limit:
            raise TooLarge(
                "layer_too_large", layer=layer_id, size=size, value=value, limit=limit, setting=setting(name)
            )


# --- reading the chosen layer ---------------------------------------------------------------


def load_layer(tensors: TensorFile, layer: Layer) -> LSTMWeights | GRUWeights:
    """One layer's tensors, read and checked (app/stack_import.py reads a stack's others)."""
    return _load(tensors, layer)


def _load(tensors: TensorFile, layer: Layer) -> LSTMWeights | GRUWeights:
    values = {role: check_values(name, tensors.load(name)) for role, name in layer.tensors.items()}
    if layer.kind == "gru":
        return gru_weights_from(values, layer.naming, layer.hidden_size, layer.reset_after is not False)
    if layer.naming == "keras":
        return _from_keras(values, layer.hidden_size)
    zeros = np.zeros(4 * layer.hidden_size)  # nn.LSTM(bias=False) saves no biases
    return LSTMWeights(
        weight_ih=values["weight_ih"],
        weight_hh=values["weight_hh"],
        bias_ih=values.get("bias_ih", zeros),
        bias_hh=values.get("bias_hh", zeros),
    )


def _from_keras(values: dict[str, np.ndarray], hidden: int) -> LSTMWeights:
    """Keras keeps gates in columns, ordered i, f, c, o; c is PyTorch's g, so the four blocks
    already line up and the transpose is the whole conversion. Keras has one bias (a CuDNNLSTM
    two, stacked): it goes to bias_ih, and bias_hh is zero; only their sum enters the cell."""
    bias = values.get("bias", np.zeros(4 * hidden))
    return LSTMWeights(
        weight_ih=np.ascontiguousarray(values["kernel"].T),  # (D, 4H) → (4H, D)
        weight_hh=np.ascontiguousarray(values["recurrent_kernel"].T),  # (H, 4H) → (4H, H)
        bias_ih=bias[: 4 * hidden],
        bias_hh=bias[4 * hidden :] if bias.size == 8 * hidden else np.zeros(4 * hidden),
    )
