"""A plain tanh RNN layer in PyTorch's nn.RNN layout: the LSTM's foil.

Its state is squashed by tanh and multiplied by W_hh at every step, so a gradient travelling
back through time is scaled by diag(1 − h²) · W_hh once per step and usually fades — the
"memory loss" that the LSTM's conveyor belt avoids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layer import Layer


@dataclass(frozen=True)
class RNNWeights(Layer):
    """PyTorch nn.RNN layer parameters (nonlinearity="tanh").

    weight_ih (H, D), weight_hh (H, H), bias_ih (H,), bias_hh (H,)
    """


@dataclass(frozen=True)
class RNNTrace:
    """Every quantity of a run, one row per time step."""

    x: np.ndarray  # (T, D)
    h_prev: np.ndarray  # (T, H) h_{t-1}
    pre: np.ndarray  # (T, H) W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    h: np.ndarray  # (T, H) tanh(pre)

    @property
    def steps(self) -> int:
        return int(self.x.shape[0])


def run(weights: RNNWeights, x: np.ndarray, h0: np.ndarray | None = None) -> RNNTrace:
    """Run the layer over x (T, D) from h0, zeros by default."""
    hidden = weights.hidden_size
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != weights.input_size:
        raise ValueError(f"x must be (T, {weights.input_size}), got {x.shape}")
    h = np.zeros(hidden) if h0 is None else np.asarray(h0, dtype=np.float64)
    if h.shape != (hidden,):
        raise ValueError(f"h0 must be ({hidden},), got {h.shape}")
    steps = x.shape[0]
    h_prev, pre, h_all = np.empty((steps, hidden)), np.empty((steps, hidden)), np.empty((steps, hidden))
    # The input projection does not depend on the recurrence: one matrix product for all steps.
    x_proj = x @ weights.weight_ih.T + (weights.bias_ih + weights.bias_hh)  # (T, H)
    w_hh_t = weights.weight_hh.T  # (H, H)
    for t in range(steps):
        h_prev[t] = h
        pre[t] = x_proj[t] + h @ w_hh_t
        h = h_all[t] = np.tanh(pre[t])
    return RNNTrace(x=x.copy(), h_prev=h_prev, pre=pre, h=h_all)
