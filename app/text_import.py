"""An embedding, a vocabulary and a decoder beside an LSTM layer in a weights file (app/weights_io.py
finds the layer): what turns text into the layer's inputs and its h_t into next tokens.

- The embedding: a 2-D float tensor whose rows are as wide as the layer's input (E = D), named as
  nn.Embedding's (`…embed…weight`, or `encoder.weight` as PyTorch's word language model names it)
  or Keras' (`…embeddings`).
- The vocabulary: one token per embedding row, from a separate file (a JSON list, or one token a
  line), else the .safetensors metadata key `vocab` (a JSON list), else an .npz string array
  `vocab` (read without pickle).
- The decoder (optional): nn.Linear after the LSTM, `weight` (V, H) and `bias` (V,) with the same
  prefix; or a Keras Dense, `kernel` (H, V) and `bias` (V,).
"""

from __future__ import annotations

import json
import re
from typing import Literal

import numpy as np

from .config import get_settings
from .engine.embedding import TextModel
from .file_errors import Malformed, TooLarge, Unusable, setting
from .tensor_file import FLOAT_DTYPES, TensorFile, check_values
from .weights_io import Imported, Kind, Layer, import_either_layer, import_layer

MAX_TOKEN_CHARS = 100
_EMBEDDING = re.compile(
    r"(?:^|.*[./:_-])(?:\w*embed\w*[./:_-](?:weight|embeddings)|\w*embeddings|encoder[./]weight)(?::\d+)?$",
    re.IGNORECASE,
)


def import_model(
    data: bytes,
    filename: str = "",
    layer: str | None = None,
    vocab_file: bytes | None = None,
    model: Kind | Literal["auto"] = "lstm",
) -> tuple[Imported, TextModel | None]:
    """The layer (as weights_io.import_layer; "auto": import_either_layer) and the text model
    around it, if the file has one."""
    if model == "auto":
        found = import_either_layer(data, filename, layer)
    else:
        found = import_layer(data, filename, layer, model)
    if found.tensors is None or found.layer.kind != "lstm":
        return found, None  # a GRU reads numbers only, for now
    return found, import_text(found.tensors, found.layer, vocab_file)


def import_text(tensors: TensorFile, layer: Layer, vocab_file: bytes | None = None) -> TextModel | None:
    """The text model around `layer`, or None if the file holds no embedding for it."""
    used = set(layer.tensors.values())
    embedding_name = _embedding(tensors, layer, used)
    if embedding_name is None:
        if vocab_file is not None:
            raise Unusable("embedding_missing", layer=layer.id, inputs=layer.input_size)
        return None
    embedding = check_values(embedding_name, tensors.load(embedding_name))
    vocab = read_vocab(vocab_file) if vocab_file is not None else _vocab_in(tensors)
    if vocab is None:
        raise Unusable("vocab_missing", name=embedding_name)
    if len(vocab) != embedding.shape[0]:
        raise Unusable("vocab_size", tokens=len(vocab), name=embedding_name, rows=embedding.shape[0])
    decoder = _decoder(tensors, layer, used | {embedding_name}, len(vocab))
    if decoder is None:
        return TextModel(tuple(vocab), embedding)
    weight, bias = decoder
    return TextModel(tuple(vocab), embedding, weight, bias)


def read_vocab(data: bytes) -> list[str]:
    """A vocabulary file: a JSON list of strings, or UTF-8 text with one token a line."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise Malformed("vocab_not_utf8") from None
    if text.lstrip().startswith("["):
        try:
            tokens = json.loads(text)
        except (ValueError, RecursionError):
            raise Malformed("vocab_json") from None
        return check_vocab(tokens)
    return check_vocab(text.removesuffix("\n").split("\n"))


def check_vocab(tokens: object) -> list[str]:
    """A list of distinct, non-empty strings, bounded in number and length."""
    if not isinstance(tokens, list) or not all(isinstance(token, str) for token in tokens):
        raise Unusable("vocab_not_list")
    if not tokens:
        raise Unusable("vocab_empty")
    limit = get_settings().max_vocab
    if len(tokens) > limit:
        raise TooLarge("vocab_too_large", tokens=len(tokens), limit=limit, setting=setting("max_vocab"))
    seen: dict[str, int] = {}
    for position, token in enumerate(tokens):
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise Unusable("vocab_token", position=position, limit=MAX_TOKEN_CHARS)
        if token in seen:
            raise Unusable("vocab_duplicate", token=token, first=seen[token], position=position)
        seen[token] = position
    return list(tokens)


def _vocab_in(tensors: TensorFile) -> list[str] | None:
    """The vocabulary the weights file carries: metadata `vocab`, or an .npz string array `vocab`."""
    if "vocab" in tensors.metadata:
        try:
            tokens = json.loads(tensors.metadata["vocab"])
        except (ValueError, RecursionError):
            raise Malformed("vocab_json") from None
        return check_vocab(tokens)
    if "vocab" in tensors.specs and tensors.load_strings is not None:
        return check_vocab(tensors.load_strings("vocab"))
    return None


def _embedding(tensors: TensorFile, layer: Layer, used: set[str]) -> str | None:
    """The first embedding-named 2-D float tensor whose rows are as wide as the layer's input."""
    for name, spec in tensors.specs.items():
        if name in used or not _EMBEDDING.match(name) or spec.dtype not in FLOAT_DTYPES:
            continue
        if len(spec.shape) == 2 and spec.shape[1] == layer.input_size and spec.shape[0] > 0:
            return name
    return None


def _decoder(
    tensors: TensorFile, layer: Layer, used: set[str], vocab: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """(weight (V, H), bias (V,)) of the first linear layer from h_t to V logits, if any."""
    hidden = layer.hidden_size
    for name, spec in tensors.specs.items():
        if name in used or spec.dtype not in FLOAT_DTYPES:
            continue
        torch_like = name.endswith("weight") and spec.shape == (vocab, hidden)
        keras_like = re.search(r"kernel(:\d+)?$", name) is not None and spec.shape == (hidden, vocab)
        if not (torch_like or keras_like):
            continue
        bias_name = re.sub(r"(weight|kernel)((?::\d+)?)$", r"bias\2", name)
        bias_spec = tensors.specs.get(bias_name)
        if bias_spec is None or bias_spec.shape != (vocab,) or bias_spec.dtype not in FLOAT_DTYPES:
            continue
        weight = check_values(name, tensors.load(name))
        bias = check_values(bias_name, tensors.load(bias_name))
        return (np.ascontiguousarray(weight.T) if keras_like else weight), bias
    return None
