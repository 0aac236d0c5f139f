"""A stack in a weights file: PyTorch's nn.LSTM(num_layers=K, bidirectional=…) saves layer k as
`{prefix}weight_ih_l{k}` (and `…_l{k}_reverse`); app/weights_io.py lists each direction as a layer
of its own, and this puts the chosen layer's whole stack back together, with the text model around
it (an embedding as wide as layer 0's input, a decoder reading the last layer's output).

A file whose layers do not make a whole stack (a gap in l0 … l{K−1}, a reverse direction on some
layers only, sizes that do not chain) has no stack: its layers still load one at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .engine.embedding import TextModel
from .engine.lstm import LSTMWeights
from .engine.stack import Stack, StackLayer
from .tensor_file import TensorFile
from .text_import import import_text
from .weights_io import Imported, Layer, load_layer

_PLACE = re.compile(r"^(?P<prefix>.*)weight_ih_l(?P<k>\d+)(?P<reverse>_reverse)?$")


@dataclass(frozen=True)
class FoundStack:
    stack: Stack
    ids: list[str]  # the layer ids of its forward directions, bottom up ("l0", "l1", …)
    text: TextModel | None
    shown: tuple[int, bool] = (0, False)  # (layer, reverse) of the layer the caller chose


def import_stack(found: Imported, vocab_file: bytes | None = None) -> FoundStack | None:
    """The chosen layer's stack, when it has more than one direction; else None."""
    place = _place(found.layer)
    if place is None or found.tensors is None:
        return None
    prefix = place[0]
    members = {(k, reverse): layer for layer in found.layers if (p := _place(layer)) and p[0] == prefix
               for _, k, reverse in [p]}  # fmt: skip
    depth = 1 + max(k for k, _ in members)
    forward = [members[k, False] for k in range(depth) if (k, False) in members]
    backward = [members.get((k, True)) for k in range(depth)]
    if len(members) < 2 or len(forward) < depth or (any(backward) and None in backward):
        return None
    tensors = found.tensors

    def weights(layer: Layer) -> LSTMWeights:
        # the chosen layer is loaded (and checked) already: at H = 1,024 each load is 0.1 s or more
        chosen = found.weights if layer == found.layer else None
        return chosen if isinstance(chosen, LSTMWeights) else _weights(tensors, layer)

    try:
        stack = Stack(tuple(
            StackLayer(weights(f), None if b is None else weights(b))
            for f, b in zip(forward, backward, strict=True)
        ))  # fmt: skip
    except ValueError:
        return None
    first = forward[0]
    used = {name for layer in members.values() for name in layer.tensors.values()}
    # The text model reads x into layer 0 and the last layer's output out: a Layer of those sizes.
    around = replace(first, hidden_size=stack.output_size, tensors={name: name for name in used})
    text = import_text(tensors, around, vocab_file)
    return FoundStack(stack, [layer.id for layer in forward], text, (place[1], place[2]))


def _place(layer: Layer) -> tuple[str, int, bool] | None:
    """(prefix, k, reverse) of a PyTorch LSTM layer saved by nn.LSTM, else None."""
    name = layer.tensors.get("weight_ih")
    match = None if layer.naming != "pytorch" or layer.kind != "lstm" or name is None else _PLACE.match(name)
    return None if match is None else (match["prefix"], int(match["k"]), match["reverse"] is not None)


def _weights(tensors: TensorFile, layer: Layer) -> LSTMWeights:
    weights = load_layer(tensors, layer)
    if not isinstance(weights, LSTMWeights):
        raise ValueError("a stack is of LSTM layers")
    return weights
