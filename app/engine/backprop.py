"""Backpropagation through time for the LSTM and the plain RNN, by hand, in NumPy.

The loss is one number read off the last hidden state: L = Σ_k h_{T-1}[k], or h_{T-1}[k] for one
target unit k. Walking back from it shows the concept source's claim in numbers: on the LSTM's
belt the gradient is only multiplied by the forget gate (c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t), while
the RNN's passes through tanh' and W_hh at every step.

Each gradient rule sits under a comment naming the forward equation it differentiates. Whatever
does not depend on the incoming gradient (tanh', σ', …) is computed for all steps at once, so
the backward loop only carries the recurrence: a few length-H vectors and one (4H)·(4H, H) product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lstm import LSTMWeights, Trace
from .rnn import RNNTrace, RNNWeights


@dataclass(frozen=True)
class LSTMGradients:
    """Total derivatives of L, one row per time step, and the parameter gradients."""

    dL_dh: np.ndarray  # (T, H) dL/dh_t through every path
    dL_dc: np.ndarray  # (T, H) dL/dc_t through every path
    dL_dx: np.ndarray  # (T, D)
    belt: np.ndarray  # (T, H) Π_{s=t+1..T-1} f_s: ∂c_{T-1}/∂c_t if the belt were the only path
    dL_dh0: np.ndarray  # (H,)
    dL_dc0: np.ndarray  # (H,)
    dL_dweights: LSTMWeights  # same layout as the parameters, so a trainer can step field by field


@dataclass(frozen=True)
class RNNGradients:
    """Total derivatives of L, one row per time step, and the parameter gradients."""

    dL_dh: np.ndarray  # (T, H) dL/dh_t through every path
    dL_dx: np.ndarray  # (T, D)
    dL_dh0: np.ndarray  # (H,)
    dL_dweights: RNNWeights


def lstm_backward(weights: LSTMWeights, trace: Trace, target: int | None = None) -> LSTMGradients:
    """Gradients of L = Σ_k h_{T-1}[k] (target None) or h_{T-1}[target] for one LSTM run."""
    _check(trace.h, weights.hidden_size)
    return lstm_backward_from(weights, trace, _seed(weights.hidden_size, target))


def lstm_backward_from(weights: LSTMWeights, trace: Trace, dL_dh_last: np.ndarray) -> LSTMGradients:
    """Gradients of any loss that reads only h_{T-1}, given dL/dh_{T-1} (H,) (e.g. for training)."""
    steps, hidden = _check(trace.h, weights.hidden_size)
    dh_dc, dc_dpre, dh_dpre_o = _lstm_local_derivatives(trace)
    dL_dh, dL_dc = np.empty((steps, hidden)), np.empty((steps, hidden))
    dL_dpre = np.empty((steps, 4, hidden))  # rows i, f, g, o as in the weights
    dh = np.asarray(dL_dh_last, dtype=np.float64)  # L reads h_{T-1} directly
    dc_next = np.zeros(hidden)  # dL/dc_t via c_{t+1}; nothing after the last step
    for t in range(steps - 1, -1, -1):
        dL_dh[t] = dh
        # h_t = o_t ⊙ tanh(c_t), and c_{t+1} = f_{t+1} ⊙ c_t + …
        dc = dL_dc[t] = dh * dh_dc[t] + dc_next
        # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t  and  h_t = o_t ⊙ tanh(c_t), each gate a function of pre
        np.multiply(dc, dc_dpre[t], out=dL_dpre[t, :3])
        np.multiply(dh, dh_dpre_o[t], out=dL_dpre[t, 3])
        # pre_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh: h_{t-1} reaches L through every gate
        dh = dL_dpre[t].reshape(-1) @ weights.weight_hh  # (H,)
        # c_t = f_t ⊙ c_{t-1} + …: the belt, where the gradient is only scaled by f
        dc_next = dc * trace.f[t]
    dL_dpre_flat = dL_dpre.reshape(steps, 4 * hidden)  # (T, 4H)
    return LSTMGradients(
        dL_dh=dL_dh,
        dL_dc=dL_dc,
        dL_dx=dL_dpre_flat @ weights.weight_ih,  # (T, D)
        belt=_belt(trace.f),
        dL_dh0=dh,
        dL_dc0=dc_next,
        dL_dweights=LSTMWeights(*_linear_grads(dL_dpre_flat, trace.x, trace.h_prev)),
    )


def _lstm_local_derivatives(trace: Trace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For all steps at once: how c_t reaches h_t, and how each gate's pre-activation reaches
    c_t (i, f, g) or h_t (o). None of it depends on the gradient flowing back."""
    i, f, g, o, tanh_c = trace.i, trace.f, trace.g, trace.o, trace.tanh_c
    dh_dc = o * (1 - tanh_c**2)  # (T, H)      h_t = o_t ⊙ tanh(c_t)
    dc_dpre = np.stack(
        [
            g * i * (1 - i),  # c_t = … + i_t ⊙ g_t,  i_t = σ(pre_i)
            trace.c_prev * f * (1 - f),  # c_t = f_t ⊙ c_{t-1} + …,  f_t = σ(pre_f)
            i * (1 - g**2),  # c_t = … + i_t ⊙ g_t,  g_t = tanh(pre_g)
        ],
        axis=1,
    )  # (T, 3, H)
    dh_dpre_o = tanh_c * o * (1 - o)  # (T, H)      h_t = o_t ⊙ tanh(c_t),  o_t = σ(pre_o)
    if trace.clamp is not None:
        # A clamped gate is a constant: no gradient reaches its pre-activation.
        free = np.isnan(trace.clamp)  # (4, H), rows i, f, g, o
        dc_dpre = dc_dpre * free[:3]
        dh_dpre_o = dh_dpre_o * free[3]
    return dh_dc, dc_dpre, dh_dpre_o


def rnn_backward(weights: RNNWeights, trace: RNNTrace, target: int | None = None) -> RNNGradients:
    """Gradients of L = Σ_k h_{T-1}[k] (target None) or h_{T-1}[target] for one RNN run."""
    steps, hidden = _check(trace.h, weights.hidden_size)
    dh_dpre = 1 - trace.h**2  # (T, H)      h_t = tanh(pre_t)
    dL_dh, dL_dpre = np.empty((steps, hidden)), np.empty((steps, hidden))
    dh = _seed(hidden, target)
    for t in range(steps - 1, -1, -1):
        dL_dh[t] = dh
        # h_t = tanh(pre_t)
        np.multiply(dh, dh_dpre[t], out=dL_dpre[t])
        # pre_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh: the matrix the gradient meets every step
        dh = dL_dpre[t] @ weights.weight_hh  # (H,)
    return RNNGradients(
        dL_dh=dL_dh,
        dL_dx=dL_dpre @ weights.weight_ih,  # (T, D)
        dL_dh0=dh,
        dL_dweights=RNNWeights(*_linear_grads(dL_dpre, trace.x, trace.h_prev)),
    )


def _linear_grads(
    dL_dpre: np.ndarray, x: np.ndarray, h_prev: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(dW_ih, dW_hh, db_ih, db_hh) of pre_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh, summed over t."""
    db = dL_dpre.sum(axis=0)  # (G,) both biases enter pre the same way
    return dL_dpre.T @ x, dL_dpre.T @ h_prev, db, db.copy()  # (G, D), (G, H), (G,), (G,)


def _belt(f: np.ndarray) -> np.ndarray:
    """Π_{s=t+1..T-1} f_s for every t: the product of the forget gates still ahead of step t."""
    belt = np.ones_like(f)  # (T, H); the last step has nothing ahead of it
    belt[:-1] = np.cumprod(f[:0:-1], axis=0)[::-1]
    return belt


def _seed(hidden: int, target: int | None) -> np.ndarray:
    """∂L/∂h_{T-1}: all ones for the sum, one-hot for a single target unit."""
    if target is None:
        return np.ones(hidden)
    if isinstance(target, bool) or not isinstance(target, int | np.integer) or not 0 <= target < hidden:
        raise ValueError(
            f"target must be a unit index in 0..{hidden - 1} (or None for the sum), got {target!r}"
        )
    seed = np.zeros(hidden)
    seed[target] = 1.0
    return seed


def _check(h: np.ndarray, hidden: int) -> tuple[int, int]:
    """(T, H) of a trace, after checking it belongs to the weights and has a last step."""
    if h.ndim != 2 or h.shape[1] != hidden:
        raise ValueError(f"trace has hidden size {h.shape[1:]}, but the weights have H={hidden}")
    if h.shape[0] == 0:
        raise ValueError("trace has no steps, so there is no h_{T-1} to take the loss from")
    return int(h.shape[0]), hidden
