"""What a language model of Python code might hold on its belt, read off the text itself; and how well
a model predicts held-out text (bits per character) and which unit follows a feature.

Each feature has one value per character: its value *after* that character was read, which is what
the cell state at that step can know. scripts/train_text.py names the best unit; the tests check it.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator

import numpy as np

from .engine.lm import LMParams, forward, log_softmax

FEATURES = ("column", "in_string", "in_brackets")


def feature_values(text: str, feature: str) -> np.ndarray:
    """(N,) for the N characters of `text`: the column of the next character (0 after a newline),
    1.0 inside a string literal (its opening quote read, its closing one not yet), or 1.0 inside
    brackets ((, [, { outside strings and comments)."""
    if feature == "column":
        column, out = 0, np.empty(len(text))
        for k, ch in enumerate(text):
            column = 0 if ch == "\n" else column + 1
            out[k] = column
        return out
    delta = np.zeros(len(text) + 1)
    for kind, string, start, end in _tokens(text):
        if feature == "in_string" and kind == tokenize.STRING:
            delta[start] += 1  # inside from the opening quote (or prefix) on ...
            delta[end - 1] -= 1  # ... until the closing quote is read
        elif feature == "in_brackets" and kind == tokenize.OP and string in "([{)]}":
            delta[start] += 1 if string in "([{" else -1
    if feature not in ("in_string", "in_brackets"):
        raise ValueError(f"unknown feature {feature!r}; known: {FEATURES}")
    return (np.cumsum(delta[:-1]) > 0).astype(np.float64)


def _tokens(text: str) -> Iterator[tuple[int, str, int, int]]:
    """(type, string, start offset, end offset) of each token Python's tokenizer finds."""
    starts = np.cumsum([0, *(len(line) for line in text.splitlines(keepends=True))])
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            (r0, c0), (r1, c1) = token.start, token.end
            if r0 - 1 < len(starts) and r1 - 1 < len(starts):
                yield token.type, token.string, int(starts[r0 - 1]) + c0, int(starts[r1 - 1]) + c1
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return


def chunks(ids: np.ndarray, seq: int) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive windows of `seq` inputs and their next tokens, (B, seq) each; a partial tail is
    dropped. Each window runs from a zero state, as the model was trained."""
    count = (len(ids) - 1) // seq
    inputs = ids[: count * seq].reshape(count, seq)
    targets = ids[1 : count * seq + 1].reshape(count, seq)
    return inputs, targets


def bits_per_char(params: LMParams, ids: np.ndarray, seq: int) -> float:
    """Mean −log₂ p(next character) over the held-out windows."""
    inputs, targets = chunks(ids, seq)
    log_p = log_softmax(forward(params, inputs).logits)  # (T, B, V)
    picked = np.take_along_axis(log_p, targets.T[:, :, None], axis=2)
    return float(-picked.mean() / np.log(2))


def unit_correlations(
    params: LMParams, ids: np.ndarray, values: np.ndarray, seq: int, newline: int | None = None
) -> np.ndarray:
    """(H,) Pearson r of each unit's cell state c_t with the feature's value at the same character.

    With `newline` (the id of "\n"), only the steps after each window's first line break count:
    a window starts from a zero state in the middle of a line, where no model can know the column
    (or whether it is inside a string) until it has seen a line start."""
    inputs, _ = chunks(ids, seq)
    c = forward(params, inputs).c[1:]  # (T, B, H)
    cells = c.transpose(1, 0, 2).reshape(-1, c.shape[2])  # (B·T, H), text order
    wanted = values[: inputs.size]
    if newline is not None:
        seen = (np.cumsum(inputs == newline, axis=1) > 0).reshape(-1)
        cells, wanted = cells[seen], wanted[seen]
    cells = cells - cells.mean(axis=0)
    wanted = wanted - wanted.mean()
    spread = np.sqrt((cells**2).sum(axis=0) * (wanted**2).sum())
    return np.asarray((cells.T @ wanted) / np.where(spread > 0, spread, 1.0))
