"""A batch of sequences through one LSTM layer and a linear head, forward and back, for training.

`lstm.run` keeps every named quantity of one sequence for the page; training needs only what its
backward pass reads, for B sequences at once: one (B, H) @ (H, 4H) product per step instead of B
small ones, so the Python loop runs T times per update, not B·T times.

The model reads the last hidden state: out = W_out h_{T-1} + b_out, (B, O). The loss is either
softmax cross-entropy over O classes ("class") or the mean squared error of O values ("value").

Parameters live in one flat float64 vector (`Params`), each tensor a view of it, so Adam updates
them all in a handful of whole-vector operations, and the gradients fill a vector of the same
layout in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from .lstm import GATES, WEIGHT_NAMES, LSTMWeights

LossKind = Literal["class", "value"]
PARAM_NAMES = (*WEIGHT_NAMES, "head_weight", "head_bias")


def param_shapes(inputs: int, hidden: int, outputs: int, blocks: int = 4) -> dict[str, tuple[int, ...]]:
    """Every tensor's shape: the layer's in PyTorch layout (`blocks` gate blocks of rows: an LSTM's
    4, a GRU's 3), then the head's (nn.Linear's)."""
    rows = blocks * hidden
    return {
        "weight_ih": (rows, inputs),
        "weight_hh": (rows, hidden),
        "bias_ih": (rows,),
        "bias_hh": (rows,),
        "head_weight": (outputs, hidden),
        "head_bias": (outputs,),
    }


class Params:
    """One flat vector and a named view of it per tensor (writing a view writes the vector)."""

    def __init__(
        self, inputs: int, hidden: int, outputs: int, flat: np.ndarray | None = None, blocks: int = 4
    ) -> None:
        self.sizes, self.blocks = (inputs, hidden, outputs), blocks
        shapes = param_shapes(inputs, hidden, outputs, blocks)
        total = sum(int(np.prod(shape)) for shape in shapes.values())
        self.flat = np.zeros(total) if flat is None else np.array(flat, dtype=np.float64)
        if self.flat.shape != (total,):
            raise ValueError(f"flat must be ({total},), got {self.flat.shape}")
        self.views: dict[str, np.ndarray] = {}
        offset = 0
        for name, shape in shapes.items():
            size = int(np.prod(shape))
            self.views[name] = self.flat[offset : offset + size].reshape(shape)
            offset += size

    def __getitem__(self, name: str) -> np.ndarray:
        return self.views[name]

    @property
    def hidden(self) -> int:
        return self.sizes[1]

    def like(self) -> Params:
        """Zeros of the same layout (a gradient, or Adam's moments)."""
        return Params(*self.sizes, blocks=self.blocks)

    def copy(self) -> Params:
        return Params(*self.sizes, flat=self.flat, blocks=self.blocks)

    def lstm(self) -> LSTMWeights:
        """The LSTM layer's weights, copied (the trainer keeps changing its own)."""
        return LSTMWeights(*(self.views[name].copy() for name in WEIGHT_NAMES))


@dataclass(frozen=True)
class Forward:
    """What the backward pass reads, time-major."""

    # (T+1, B, H+D+1): row t is [h_{t-1}, x_t, 1], what step t's gates read, so that one product
    # with [W_hh; W_ih; b] gives every pre-activation of the step (and, in the backward pass, one
    # product gives every weight's gradient); row T holds h_{T-1} (its x and 1 are unused).
    a: np.ndarray
    gates: np.ndarray  # (T, B, 4H) i, f, o as σ(pre), g as tanh(pre)
    c: np.ndarray  # (T+1, B, H) c[0] = c0 = 0, c[t+1] = c_t
    tanh_c: np.ndarray  # (T, B, H)
    out: np.ndarray  # (B, O) the head's output on h_{T-1}

    @property
    def h(self) -> np.ndarray:
        """(T+1, B, H) h[0] = h0 = 0, h[t+1] = h_t (a view)."""
        return self.a[:, :, : self.c.shape[2]]


def forward(params: Params, x: np.ndarray) -> Forward:
    """Run the layer over x (B, T, D) from zero state, then the head on h_{T-1}."""
    batch, steps, inputs = x.shape
    hidden = params.hidden
    i, f, g, o = (slice(k * hidden, (k + 1) * hidden) for k in range(4))
    scale, shift = one_tanh(hidden)
    a = np.zeros((steps + 1, batch, hidden + inputs + 1))
    a[:steps, :, hidden:-1] = x.transpose(1, 0, 2)
    a[:steps, :, -1] = 1.0
    bias = params["bias_ih"] + params["bias_hh"]
    # Pre-scaled for the one tanh (as lstm.run does): tanh(pre · scale) · scale + shift.
    w = np.vstack([params["weight_hh"].T, params["weight_ih"].T, bias]) * scale  # (H+D+1, 4H)
    gates = np.empty((steps, batch, 4 * hidden))
    c = np.zeros((steps + 1, batch, hidden))
    tanh_c = np.empty((steps, batch, hidden))
    added = np.empty((batch, hidden))
    # zip hands out each step's rows, and each gate's columns of them, as views made in C (a
    # slice in the loop body costs as much as a small call): the body is only the step's calls.
    steps_of = zip(
        a[:-1], a[1:, :, :hidden], gates, gates[:, :, i], gates[:, :, f], gates[:, :, g], gates[:, :, o],
        c[:-1], c[1:], tanh_c, strict=True,
    )  # fmt: skip
    for a_t, h_t, gates_t, i_t, f_t, g_t, o_t, c_prev, c_t, tanh_c_t in steps_of:
        np.matmul(a_t, w, gates_t)
        np.tanh(gates_t, gates_t)
        np.multiply(gates_t, scale, gates_t)
        np.add(gates_t, shift, gates_t)  # σ(pre) on the i, f, o columns, tanh(pre) on g
        # c_t = f ⊙ c_{t-1} + i ⊙ g ;  h_t = o ⊙ tanh(c_t)
        np.multiply(f_t, c_prev, c_t)
        np.multiply(i_t, g_t, added)
        np.add(c_t, added, c_t)
        np.tanh(c_t, tanh_c_t)
        np.multiply(o_t, tanh_c_t, h_t)
    out = a[steps, :, :hidden] @ params["head_weight"].T + params["head_bias"]  # (B, O)
    return Forward(a=a, gates=gates, c=c, tanh_c=tanh_c, out=out)


def loss_and_output_grad(out: np.ndarray, y: np.ndarray, kind: LossKind) -> tuple[float, np.ndarray]:
    """The mean loss over the batch and dL/d out (B, O). y: class indices (B,) or values (B, O)."""
    batch = out.shape[0]
    if kind == "class":
        shifted = out - out.max(axis=1, keepdims=True)  # softmax is shift-invariant; exp never overflows
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        labels = y.astype(np.intp)
        loss = -float(log_p[np.arange(batch), labels].mean())
        grad = np.exp(log_p)  # d(−log p_y)/d out = softmax − onehot(y)
        grad[np.arange(batch), labels] -= 1.0
        return loss, grad / batch
    error = out - y.reshape(out.shape)
    return float(np.mean(error**2)), 2.0 * error / error.size


def backward(params: Params, run: Forward, d_out: np.ndarray, grads: Params) -> None:
    """Fill `grads` with dL/d every parameter, given dL/d out (B, O)."""
    steps, batch, hidden = run.tanh_c.shape
    gates = run.gates
    i, f, g, o = (slice(k * hidden, (k + 1) * hidden) for k in range(4))
    h_last = run.a[steps, :, :hidden]
    # out = W_out h_{T-1} + b_out
    np.matmul(d_out.T, h_last, out=grads["head_weight"])
    np.sum(d_out, axis=0, out=grads["head_bias"])
    dh = d_out @ params["head_weight"]  # (B, H) dL/dh_{T-1}
    # Whatever does not depend on the incoming gradient, for all steps at once (as backprop.py):
    # how each pre-activation reaches c_t (i, f, g) or h_t (o), in the gates' layout.
    local = gates * (1 - gates)  # (T, B, 4H) σ' on the i, f, o columns
    local[..., i] *= gates[..., g]  # c_t = … + i_t ⊙ g_t,  i_t = σ(pre_i)
    local[..., f] *= run.c[:-1]  # c_t = f_t ⊙ c_{t-1} + …,  f_t = σ(pre_f)
    np.multiply(gates[..., i], 1 - gates[..., g] ** 2, out=local[..., g])  # … + i_t ⊙ g_t, g = tanh
    local[..., o] *= run.tanh_c  # h_t = o_t ⊙ tanh(c_t),  o_t = σ(pre_o)
    local4 = local.reshape(steps, batch, 4, hidden)
    dh_dc = gates[..., o] * (1 - run.tanh_c**2)  # h_t = o_t ⊙ tanh(c_t)
    dpre = np.empty((steps, batch, 4, hidden))
    w_hh = params["weight_hh"]
    dc = np.empty((batch, hidden))
    dc_next = np.zeros((batch, hidden))  # dL/dc_t through c_{t+1}; nothing after the last step
    dc_gates = dc[:, None, :]  # dc against the i, f, g blocks (a view, made once)
    # each step's rows as views made in C, as in forward
    backwards = zip(
        dpre.reshape(steps, batch, 4 * hidden)[::-1], dpre[::-1, :, :3], dpre[::-1, :, 3], dh_dc[::-1],
        local4[::-1, :, :3], local4[::-1, :, 3], gates[::-1, :, f], strict=True,
    )  # fmt: skip
    for dpre_t, dpre_ifg, dpre_o, dh_dc_t, local_ifg, local_o, f_t in backwards:
        np.multiply(dh, dh_dc_t, dc)
        np.add(dc, dc_next, dc)
        np.multiply(dc_gates, local_ifg, dpre_ifg)
        np.multiply(dh, local_o, dpre_o)
        # pre_t = W_hh h_{t-1} + W_ih x_t + b: h_{t-1} reaches L through every gate
        np.matmul(dpre_t, w_hh, dh)
        # c_t = f_t ⊙ c_{t-1} + …: along the belt the gradient is only scaled by f
        np.multiply(dc, f_t, dc_next)
    # pre_t = [W_hh, W_ih, b] [h_{t-1}, x_t, 1]: every weight's gradient in one product
    flat = dpre.reshape(steps * batch, 4 * hidden)
    every = flat.T @ run.a[:-1].reshape(steps * batch, -1)  # (4H, H+D+1)
    grads["weight_hh"][...] = every[:, :hidden]
    grads["weight_ih"][...] = every[:, hidden:-1]
    grads["bias_ih"][...] = every[:, -1]
    grads["bias_hh"][...] = every[:, -1]  # both biases enter pre the same way


def loss_and_gradients(
    params: Params, x: np.ndarray, y: np.ndarray, kind: LossKind, grads: Params | None = None
) -> tuple[float, Params]:
    """The batch's mean loss and its gradient for every parameter (into `grads` if given)."""
    grads = params.like() if grads is None else grads
    run = forward(params, x)
    loss, d_out = loss_and_output_grad(run.out, y, kind)
    backward(params, run, d_out, grads)
    return loss, grads


class Flat(Protocol):
    """Anything whose parameters are one flat vector (Params, lm.LMParams)."""

    flat: np.ndarray


@dataclass
class Adam:
    """Adam (Kingma & Ba) over a flat parameter vector, updated in place, as torch.optim.Adam."""

    m: np.ndarray
    v: np.ndarray
    steps: int = 0
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    @staticmethod
    def start(params: Flat) -> Adam:
        return Adam(np.zeros_like(params.flat), np.zeros_like(params.flat))

    def step(self, params: Flat, grads: Flat, lr: float) -> None:
        self.steps += 1
        self.m *= self.beta1
        self.m += (1 - self.beta1) * grads.flat
        self.v *= self.beta2
        self.v += (1 - self.beta2) * grads.flat**2
        # lr · m̂ / (√v̂ + ε), with m̂ = m / (1 − β1^k) and v̂ = v / (1 − β2^k)
        denom = np.sqrt(self.v / (1 - self.beta2**self.steps))
        denom += self.eps
        params.flat -= (lr / (1 - self.beta1**self.steps)) * self.m / denom


def init_params(
    rng: np.random.Generator, inputs: int, hidden: int, outputs: int, forget_bias: float = 0.0
) -> Params:
    """PyTorch's defaults (nn.LSTM and nn.Linear: every tensor uniform in ±1/√H), then `forget_bias`
    added to the forget gate's rows of bias_ih (+1 is Jozefowicz et al. 2015's advice: the belt
    starts mostly open, so a gradient can reach early steps before anything is learned)."""
    params = Params(inputs, hidden, outputs)
    bound = 1.0 / np.sqrt(hidden)
    for name in PARAM_NAMES:
        view = params[name]
        view[...] = rng.uniform(-bound, bound, view.shape)
    forget = GATES.index("f")
    params["bias_ih"][forget * hidden : (forget + 1) * hidden] += forget_bias
    return params


def one_tanh(hidden: int) -> tuple[np.ndarray, np.ndarray]:
    """(scale, shift) so that tanh(pre · scale) · scale + shift is σ on i, f, o and tanh on g
    (σ(z) = (1 + tanh(z/2)) / 2), as lstm.run uses: one tanh per step for all four gates."""
    scale = np.full((4, hidden), 0.5)
    shift = np.full((4, hidden), 0.5)
    scale[GATES.index("g")], shift[GATES.index("g")] = 1.0, 0.0
    return scale.reshape(-1), shift.reshape(-1)
