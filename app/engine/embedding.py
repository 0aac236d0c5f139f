"""Text in front of an LSTM and out of it: a vocabulary turns text into ids, an embedding turns ids
into the layer's inputs (x_t = E[id_t], nn.Embedding), and a decoder (nn.Linear on h_t) turns each
h_t into next-token probabilities. Pure NumPy and Python.

A vocabulary whose tokens are all single characters (besides special tokens such as "<unk>") reads
text character by character; any other reads it word by word, split on whitespace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNKNOWN_TOKENS = ("<unk>", "<UNK>", "[UNK]", "<|unk|>")
CELLS = 1 << 20  # logits computed at once by TextModel.top


class UnknownToken(ValueError):
    """A piece of text the vocabulary has no token for, and no unknown token to map it to."""

    def __init__(self, token: str, position: int) -> None:
        self.token, self.position = token, position
        super().__init__(f"{token!r} at position {position} is not in the vocabulary")


@dataclass(frozen=True)
class TextModel:
    """What reads and writes text around one LSTM layer.

    vocab: V tokens; embedding (V, E); decoder_weight (V, H) and decoder_bias (V,), or None."""

    vocab: tuple[str, ...]
    embedding: np.ndarray
    decoder_weight: np.ndarray | None = None
    decoder_bias: np.ndarray | None = None

    def __post_init__(self) -> None:
        rows = len(self.vocab)
        if self.embedding.ndim != 2 or self.embedding.shape[0] != rows:
            raise ValueError(f"embedding must be ({rows}, E), got {self.embedding.shape}")
        if (self.decoder_weight is None) != (self.decoder_bias is None):
            raise ValueError("a decoder has a weight and a bias")
        if self.decoder_weight is not None and self.decoder_weight.shape[0] != rows:
            raise ValueError(f"decoder_weight must be ({rows}, H), got {self.decoder_weight.shape}")

    @property
    def embed_size(self) -> int:
        return int(self.embedding.shape[1])

    @property
    def by_characters(self) -> bool:
        return all(len(token) == 1 or token in UNKNOWN_TOKENS for token in self.vocab)

    @property
    def unknown(self) -> int | None:
        """The id text the vocabulary lacks is read as, if it has an unknown token."""
        return next((self.vocab.index(t) for t in UNKNOWN_TOKENS if t in self.vocab), None)

    def tokenize(self, text: str) -> np.ndarray:
        """(T,) ids of `text`; UnknownToken names the first piece with no token (and no <unk>)."""
        index = {token: k for k, token in enumerate(self.vocab)}
        unknown = self.unknown
        ids = []
        for piece, position in self._pieces(text):
            found = index.get(piece, unknown)
            if found is None:
                raise UnknownToken(piece, position)
            ids.append(found)
        return np.array(ids, dtype=np.intp)

    def _pieces(self, text: str) -> list[tuple[str, int]]:
        """Each token's text and where it starts in `text` (characters, or whitespace-split words)."""
        if self.by_characters:
            return [(ch, k) for k, ch in enumerate(text)]
        pieces, position = [], 0
        for word in text.split():
            position = text.index(word, position)
            pieces.append((word, position))
            position += len(word)
        return pieces

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """x (T, E): the embedding's row of each id."""
        return np.array(self.embedding[ids], dtype=np.float64)

    def tokens_of(self, x: np.ndarray, ids: np.ndarray | None) -> list[str | None]:
        """The token of each step of x (T, E): ids' where x_t is still its embedding row, else the
        token whose row x_t is (a restored sequence), else None (x_t was moved off every row)."""
        if ids is not None and len(ids) == len(x):
            same = np.all(x == self.embedding[ids], axis=1)
        else:
            ids, same = np.zeros(len(x), dtype=np.intp), np.zeros(len(x), dtype=bool)
        rows = {row.tobytes(): k for k, row in reversed(list(enumerate(self.embedding)))}  # first wins
        found = [
            k if keep else rows.get(np.ascontiguousarray(row).tobytes())
            for k, keep, row in zip(ids.tolist(), same, x, strict=True)
        ]
        return [None if k is None else self.vocab[k] for k in found]

    def top(self, h: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """(ids, p), each (T, k): the k likeliest next tokens after each h_t (T, H), likeliest first,
        and their softmax probabilities. Rows go through in blocks of about CELLS logits, so a long
        text over a large vocabulary never holds all T·V logits at once."""
        if self.decoder_weight is None or self.decoder_bias is None:
            raise ValueError("this model has no decoder")
        vocab = len(self.vocab)
        k = min(k, vocab)
        ids, probs = np.empty((len(h), k), dtype=np.intp), np.empty((len(h), k))
        block = max(1, CELLS // vocab)
        for start in range(0, len(h), block):
            logits = h[start : start + block] @ self.decoder_weight.T + self.decoder_bias  # (rows, V)
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            # the k largest (a stable sort keeps ties in vocabulary order), then in order
            best = np.argsort(-p, axis=1, kind="stable")[:, :k] if vocab <= 4096 else _largest(p, k)
            ids[start : start + block] = best
            probs[start : start + block] = np.take_along_axis(p, best, axis=1)
        return ids, probs


def _largest(p: np.ndarray, k: int) -> np.ndarray:
    """The k largest of each row, largest first, without sorting the whole row."""
    some = np.argpartition(-p, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(p, some, axis=1), axis=1, kind="stable")
    return np.take_along_axis(some, order, axis=1)
