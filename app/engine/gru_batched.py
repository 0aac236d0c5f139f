"""A batch of sequences through one GRU layer and a linear head, forward and back, for training
(the LSTM's is batched.py, whose Params, loss and Adam this shares; Params of 3 gate blocks).

As nn.GRU (reset after), with rows r, z, n in every 3H block:

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)     z_t = σ(… the z rows …)
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
    h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ n_t

and the head reads h_{T−1}: out = W_out h_{T−1} + b_out. The loop runs T times per update with one
(B, H) @ (H, 3H) product per step, forward and back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import sigmoid
from .batched import PARAM_NAMES, LossKind, Params, loss_and_output_grad
from .gru import GRU_GATES, GRUWeights
from .lstm import WEIGHT_NAMES

BLOCKS = len(GRU_GATES)


@dataclass(frozen=True)
class GRUForward:
    """What the backward pass reads, time-major."""

    x: np.ndarray  # (T, B, D)
    h: np.ndarray  # (T+1, B, H) h[0] = h0 = 0, h[t+1] = h_t
    r: np.ndarray  # (T, B, H)
    z: np.ndarray  # (T, B, H)
    n: np.ndarray  # (T, B, H)
    hn: np.ndarray  # (T, B, H) W_hn h_{t−1} + b_hn: what r scales
    out: np.ndarray  # (B, O)


def forward(params: Params, x: np.ndarray) -> GRUForward:
    """Run the layer over x (B, T, D) from zero state, then the head on h_{T-1}."""
    batch, steps, _ = x.shape
    hidden = params.hidden
    xs = np.ascontiguousarray(x.transpose(1, 0, 2))  # (T, B, D)
    from_x = xs @ params["weight_ih"].T + params["bias_ih"]  # (T, B, 3H): no recurrence in it
    w_hh_t, b_hh = params["weight_hh"].T, params["bias_hh"]
    h = np.zeros((steps + 1, batch, hidden))
    r, z, n, hn = (np.empty((steps, batch, hidden)) for _ in range(4))
    for t in range(steps):
        from_h = h[t] @ w_hh_t + b_hh  # (B, 3H)
        r[t] = sigmoid(from_x[t, :, :hidden] + from_h[:, :hidden])
        z[t] = sigmoid(from_x[t, :, hidden : 2 * hidden] + from_h[:, hidden : 2 * hidden])
        hn[t] = from_h[:, 2 * hidden :]
        n[t] = np.tanh(from_x[t, :, 2 * hidden :] + r[t] * hn[t])
        h[t + 1] = z[t] * h[t] + (1 - z[t]) * n[t]
    out = h[steps] @ params["head_weight"].T + params["head_bias"]
    return GRUForward(x=xs, h=h, r=r, z=z, n=n, hn=hn, out=out)


def backward(params: Params, run: GRUForward, d_out: np.ndarray, grads: Params) -> None:
    """Fill `grads` with dL/d every parameter, given dL/d out (B, O)."""
    steps, batch, hidden = run.r.shape
    r, z, n = run.r, run.z, run.n
    # out = W_out h_{T-1} + b_out
    np.matmul(d_out.T, run.h[steps], out=grads["head_weight"])
    np.sum(d_out, axis=0, out=grads["head_bias"])
    dh = d_out @ params["head_weight"]  # (B, H) dL/dh_{T-1}
    # What does not depend on the incoming gradient, for all steps at once:
    dh_dpre_z = (run.h[:-1] - n) * z * (1 - z)  # h_t = z ⊙ h_{t−1} + (1 − z) ⊙ n,  z = σ(pre_z)
    dh_dpre_n = (1 - z) * (1 - n**2)  # … + (1 − z) ⊙ n,  n = tanh(pre_n)
    dpre_n_dpre_r = run.hn * r * (1 - r)  # pre_n = … + r ⊙ (W_hn h_{t−1} + b_hn),  r = σ(pre_r)
    d_in = np.empty((steps, batch, BLOCKS * hidden))  # dL/d(W_ih x_t + b_ih), rows r, z, n
    d_rec = np.empty((steps, batch, BLOCKS * hidden))  # dL/d(W_hh h_{t−1} + b_hh), rows r, z, n
    w_hh = params["weight_hh"]
    for t in range(steps - 1, -1, -1):
        d_n = dh * dh_dpre_n[t]
        d_in[t, :, :hidden] = d_rec[t, :, :hidden] = d_n * dpre_n_dpre_r[t]
        d_in[t, :, hidden : 2 * hidden] = d_rec[t, :, hidden : 2 * hidden] = dh * dh_dpre_z[t]
        d_in[t, :, 2 * hidden :] = d_n
        d_rec[t, :, 2 * hidden :] = d_n * r[t]  # r scales W_hn h_{t−1} + b_hn
        # h_{t−1} reaches L along the belt (× z) and through every gate's W_hh rows
        dh = dh * z[t] + d_rec[t] @ w_hh
    flat_in = d_in.reshape(steps * batch, -1)
    flat_rec = d_rec.reshape(steps * batch, -1)
    grads["weight_ih"][...] = flat_in.T @ run.x.reshape(steps * batch, -1)
    grads["bias_ih"][...] = flat_in.sum(axis=0)
    grads["weight_hh"][...] = flat_rec.T @ run.h[:-1].reshape(steps * batch, hidden)
    grads["bias_hh"][...] = flat_rec.sum(axis=0)


def loss_and_gradients(
    params: Params, x: np.ndarray, y: np.ndarray, kind: LossKind, grads: Params | None = None
) -> tuple[float, Params]:
    """The batch's mean loss and its gradient for every parameter (into `grads` if given)."""
    grads = params.like() if grads is None else grads
    run = forward(params, x)
    loss, d_out = loss_and_output_grad(run.out, y, kind)
    backward(params, run, d_out, grads)
    return loss, grads


def init_params(
    rng: np.random.Generator, inputs: int, hidden: int, outputs: int, keep_bias: float = 0.0
) -> Params:
    """nn.GRU's and nn.Linear's defaults (uniform in ±1/√H), then `keep_bias` added to the update
    gate's rows of bias_ih: z is the GRU's keeping gate (the LSTM's f), so +1 starts its belt
    mostly open, as the LSTM's forget bias does."""
    params = Params(inputs, hidden, outputs, blocks=BLOCKS)
    bound = 1.0 / np.sqrt(hidden)
    for name in PARAM_NAMES:
        view = params[name]
        view[...] = rng.uniform(-bound, bound, view.shape)
    keep = GRU_GATES.index("z")
    params["bias_ih"][keep * hidden : (keep + 1) * hidden] += keep_bias
    return params


def gru_of(params: Params) -> GRUWeights:
    """The GRU layer's weights, copied (the trainer keeps changing its own)."""
    weight_ih, weight_hh, bias_ih, bias_hh = (params[name].copy() for name in WEIGHT_NAMES)
    return GRUWeights(weight_ih, weight_hh, bias_ih, bias_hh)
