"""Backpropagation through time for the GRU, by hand, in NumPy (the LSTM's and the RNN's are in
backprop.py, with the same loss: L = Σ_k h_{T-1}[k], or h_{T-1}[k] for one target unit k).

The GRU's belt is h itself: h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ n_t, so on the belt the gradient is
only multiplied by z (the belt-only term Π z), while the other paths back pass through the gates'
pre-activations and W_hh. Each rule sits under a comment naming the forward equation it differentiates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop import _belt, _check, _seed  # the same loss, checks and belt product as the LSTM's
from .gru import GRUTrace, GRUWeights


@dataclass(frozen=True)
class GRUGradients:
    """Total derivatives of L, one row per time step, and the parameter gradients."""

    dL_dh: np.ndarray  # (T, H) dL/dh_t through every path
    dL_dx: np.ndarray  # (T, D)
    belt: np.ndarray  # (T, H) Π_{s=t+1..T-1} z_s: ∂h_{T-1}/∂h_t if the belt were the only path
    dL_dh0: np.ndarray  # (H,)
    dL_dweights: GRUWeights  # same layout as the parameters


def gru_backward(weights: GRUWeights, trace: GRUTrace, target: int | None = None) -> GRUGradients:
    """Gradients of L = Σ_k h_{T-1}[k] (target None) or h_{T-1}[target] for one GRU run."""
    _check(trace.h, weights.hidden_size)
    return gru_backward_from(weights, trace, _seed(weights.hidden_size, target))


def gru_backward_from(weights: GRUWeights, trace: GRUTrace, dL_dh_last: np.ndarray) -> GRUGradients:
    """Gradients of any loss that reads only h_{T-1}, given dL/dh_{T-1} (H,)."""
    steps, hidden = _check(trace.h, weights.hidden_size)
    r, z, n, h_prev = trace.r, trace.z, trace.n, trace.h_prev
    w_hr, w_hz, w_hn = (weights.weight_hh[k * hidden : (k + 1) * hidden] for k in range(3))
    # A clamped gate is a constant: no gradient reaches its pre-activation.
    free = np.ones((3, hidden)) if trace.clamp is None else np.isnan(trace.clamp).astype(np.float64)
    # h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ n_t, with z = σ(pre_z) and n = tanh(pre_n)
    dh_dpre_z = (h_prev - n) * z * (1 - z) * free[1]  # (T, H)
    dh_dpre_n = (1 - z) * (1 - n**2) * free[2]  # (T, H)
    dr_dpre_r = r * (1 - r) * free[0]  # (T, H)      r = σ(pre_r)
    # What r multiplies: W_hn h_{t−1} + b_hn (reset after) or h_{t−1} (reset before, inside W_hn).
    gated = h_prev @ w_hn.T + weights.bias_hh[2 * hidden :] if weights.reset_after else h_prev
    d_in = np.empty((steps, 3, hidden))  # dL/d(each gate's pre-activation), rows r, z, n
    d_rec_n = np.empty((steps, hidden))  # dL/d(what W_hn produces), for W_hn's and b_hn's gradients
    dL_dh = np.empty((steps, hidden))
    dh = np.asarray(dL_dh_last, dtype=np.float64)  # L reads h_{T-1} directly
    for t in range(steps - 1, -1, -1):
        dL_dh[t] = dh
        d_z = dh * dh_dpre_z[t]
        d_n = dh * dh_dpre_n[t]
        if weights.reset_after:
            # pre_n = W_in x + b_in + r ⊙ (W_hn h_{t−1} + b_hn)
            d_rec_n[t] = d_n * r[t]
            d_r = d_n * gated[t] * dr_dpre_r[t]
            through_n = d_rec_n[t] @ w_hn
        else:
            # pre_n = W_in x + b_in + W_hn (r ⊙ h_{t−1}) + b_hn
            d_rec_n[t] = d_n
            into_reset = d_n @ w_hn  # dL/d(r ⊙ h_{t−1})
            d_r = into_reset * h_prev[t] * dr_dpre_r[t]
            through_n = into_reset * r[t]
        d_in[t, 0], d_in[t, 1], d_in[t, 2] = d_r, d_z, d_n
        # h_{t−1} reaches L along the belt (× z), through r and z's pre-activations, and through n
        dh = dh * z[t] + d_r @ w_hr + d_z @ w_hz + through_n
    return GRUGradients(
        dL_dh=dL_dh,
        dL_dx=d_in.reshape(steps, 3 * hidden) @ weights.weight_ih,  # (T, D)
        belt=_belt(z),
        dL_dh0=dh,
        dL_dweights=_weight_grads(weights, trace, d_in, d_rec_n),
    )


def _weight_grads(weights: GRUWeights, trace: GRUTrace, d_in: np.ndarray, d_rec_n: np.ndarray) -> GRUWeights:
    """Summed over the steps: W_ih and b_ih meet every gate's input side, W_hh and b_hh its
    recurrent side (for n, what W_hn produces, whose input is r ⊙ h_{t−1} when reset before)."""
    steps, hidden = trace.h.shape
    d_input = d_in.reshape(steps, 3 * hidden)  # (T, 3H)
    d_recurrent = np.concatenate([d_in[:, 0], d_in[:, 1], d_rec_n], axis=1)  # (T, 3H)
    n_reads = trace.h_prev if weights.reset_after else trace.r * trace.h_prev
    d_weight_hh = np.concatenate(
        [d_in[:, 0].T @ trace.h_prev, d_in[:, 1].T @ trace.h_prev, d_rec_n.T @ n_reads], axis=0
    )  # (3H, H)
    return GRUWeights(
        weight_ih=d_input.T @ trace.x,
        weight_hh=d_weight_hh,
        bias_ih=d_input.sum(axis=0),
        bias_hh=d_recurrent.sum(axis=0),
        reset_after=weights.reset_after,
    )
