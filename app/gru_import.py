"""GRU layers in a weights file: told apart by the recurrent matrix's shape, checked by their table,
and brought into PyTorch's layout (app/weights_io.py finds the layers and reads the tensors).

PyTorch's nn.GRU keeps weight_ih (3H, D), weight_hh (3H, H), bias_ih and bias_hh (3H,), rows r, z,
n, and always applies its reset gate after W_hn. Keras' GRU keeps kernel (D, 3H) and
recurrent_kernel (H, 3H) with gate columns z, r, h, and a bias of (2, 3H) (input and recurrent,
reset_after=True, its default) or (3H,) (reset_after=False: r scales h_{t−1} before W_hn).
"""

from __future__ import annotations

import numpy as np

from .engine.gru import GRUWeights
from .file_errors import Unusable
from .layer_group import Group, Naming, bias_roles, mismatch, require
from .tensor_file import Spec


def is_gru(group: Group, specs: dict[str, Spec]) -> bool:
    """Whether the recurrent matrix has a GRU's shape: weight_hh (3H, H) or recurrent_kernel (H, 3H)."""
    role = "weight_hh" if group.naming == "pytorch" else "recurrent_kernel"
    if role not in group.members or "weight_hr" in group.members:
        return False
    shape = specs[group.members[role]].shape
    if len(shape) != 2:
        return False
    rows, columns = shape if group.naming == "pytorch" else shape[::-1]
    return columns > 0 and rows == 3 * columns


def gru_sizes(group: Group, specs: dict[str, Spec]) -> tuple[int, int, bool]:
    """(H, D, reset_after) of a GRU layer; a layer asked for as a GRU whose recurrent matrix has
    another shape is refused naming it (and an LSTM's shape as such)."""
    pytorch = group.naming == "pytorch"
    require(group, ("weight_ih", "weight_hh") if pytorch else ("kernel", "recurrent_kernel"))
    if is_gru(group, specs):
        return torch_gru_sizes(group, specs) if pytorch else keras_gru_sizes(group, specs)
    name = group.name("weight_hh" if pytorch else "recurrent_kernel")
    shape = specs[name].shape
    rows, columns = (shape if pytorch else shape[::-1]) if len(shape) == 2 else (0, 0)
    note = "lstm_shape" if columns > 0 and rows == 4 * columns else None
    if pytorch:
        raise Unusable("gru_hh_shape", name=name, shape=str(shape), note=note)
    raise Unusable("keras_gru_recurrent_shape", name=name, shape=str(shape), note=note)


def torch_gru_sizes(group: Group, specs: dict[str, Spec]) -> tuple[int, int, bool]:
    """(H, D, reset_after) of an nn.GRU: weight_hh (3H, H) sets H; weight_ih (3H, D), biases (3H,)."""
    require(group, ("weight_ih", "weight_hh"))
    hh_name, hh = group.name("weight_hh"), specs[group.name("weight_hh")].shape
    rows = 3 * hh[1]
    ih_name, ih = group.name("weight_ih"), specs[group.name("weight_ih")].shape
    if len(ih) != 2 or ih[0] != rows or ih[1] == 0:
        raise mismatch(ih_name, ih, hh_name, hh, hh[1], f"({rows}, D)")
    for role in bias_roles(group, gru=True):
        name, shape = group.name(role), specs[group.name(role)].shape
        if shape != (rows,):
            raise mismatch(name, shape, hh_name, hh, hh[1], str((rows,)))
    return hh[1], ih[1], True  # nn.GRU applies its reset gate after W_hn


def keras_gru_sizes(group: Group, specs: dict[str, Spec]) -> tuple[int, int, bool]:
    """(H, D, reset_after) of a Keras GRU: recurrent_kernel (H, 3H), kernel (D, 3H), and a bias of
    (2, 3H) (reset_after=True, Keras' default) or (3H,) (reset_after=False); without a bias the file
    cannot say, and Keras' default is assumed."""
    require(group, ("kernel", "recurrent_kernel"))
    rk_name, rk = group.name("recurrent_kernel"), specs[group.name("recurrent_kernel")].shape
    hidden = rk[0]
    k_name, kernel = group.name("kernel"), specs[group.name("kernel")].shape
    if len(kernel) != 2 or kernel[0] == 0 or kernel[1] != 3 * hidden:
        raise mismatch(k_name, kernel, rk_name, rk, hidden, f"(D, {3 * hidden})")
    if "bias" not in group.members:
        return hidden, kernel[0], True
    b_name, bias = group.name("bias"), specs[group.name("bias")].shape
    if bias not in ((2, 3 * hidden), (3 * hidden,)):
        raise Unusable("keras_gru_bias_shape", name=b_name, shape=str(bias), columns=3 * hidden)
    return hidden, kernel[0], len(bias) == 2


# Keras keeps a GRU's gates in blocks of columns ordered z, r, h; PyTorch's rows are r, z, n.
def keras_gru_order(hidden: int) -> np.ndarray:
    """Indices that take Keras' z, r, h blocks to PyTorch's r, z, n (the same list both ways)."""
    return np.concatenate(
        [np.arange(hidden, 2 * hidden), np.arange(hidden), np.arange(2 * hidden, 3 * hidden)]
    )


def gru_weights_from(
    values: dict[str, np.ndarray], naming: Naming, hidden: int, reset_after: bool
) -> GRUWeights:
    """A GRU in PyTorch's layout. nn.GRU(bias=False) saves no biases; Keras' (2, 3H) bias is the
    input and the recurrent bias (the recurrent one is what the reset gate scales), its (3H,) bias
    (reset_after=False) goes to bias_ih, where only the sum b_ih + b_hn matters."""
    zeros = np.zeros(3 * hidden)
    if naming == "pytorch":
        return GRUWeights(
            values["weight_ih"],
            values["weight_hh"],
            values.get("bias_ih", zeros),
            values.get("bias_hh", zeros),
        )
    order = keras_gru_order(hidden)
    bias = np.atleast_2d(values.get("bias", zeros))  # (1, 3H) or (2, 3H)
    return GRUWeights(
        weight_ih=np.ascontiguousarray(values["kernel"][:, order].T),  # (D, 3H) → (3H, D)
        weight_hh=np.ascontiguousarray(values["recurrent_kernel"][:, order].T),  # (H, 3H) → (3H, H)
        bias_ih=bias[0][order],
        bias_hh=bias[1][order] if len(bias) == 2 else zeros,
        reset_after=reset_after,
    )


def to_keras_gru(weights: GRUWeights) -> dict[str, np.ndarray]:
    """A reset-before GRU in Keras' naming and layout: what GRU(reset_after=False).set_weights takes."""
    order = keras_gru_order(weights.hidden_size)
    return {
        "kernel": np.ascontiguousarray(weights.weight_ih[order].T),
        "recurrent_kernel": np.ascontiguousarray(weights.weight_hh[order].T),
        "bias": (weights.bias_ih + weights.bias_hh)[order],
    }
