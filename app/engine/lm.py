"""A language model: Embedding → one LSTM layer → Linear on every h_t, trained with per-step softmax
cross-entropy, forward and back for a batch, and Adam. Pure NumPy.

batched.py reads only h_{T−1}; a language model predicts token t+1 from h_t at every step, so its
gradient enters the layer at every step: dL/dh_t = W_decᵀ (p_t − onehot(y_t)) / (B·T), plus what
flows back from step t+1.

x_t = E[id_t] (nn.Embedding); pre_t = W_ih x_t + W_hh h_{t−1} + b (nn.LSTM, rows i, f, g, o);
logits_t = W_dec h_t + b_dec (nn.Linear). Parameters live in one flat float64 vector, each tensor a
view of it, as batched.Params does, so batched.Adam updates them in a few whole-vector operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .batched import one_tanh
from .lstm import GATES, WEIGHT_NAMES, LSTMWeights

LM_NAMES = ("embedding", *WEIGHT_NAMES, "decoder_weight", "decoder_bias")


def lm_shapes(vocab: int, embed: int, hidden: int) -> dict[str, tuple[int, ...]]:
    rows = 4 * hidden
    return {
        "embedding": (vocab, embed),
        "weight_ih": (rows, embed),
        "weight_hh": (rows, hidden),
        "bias_ih": (rows,),
        "bias_hh": (rows,),
        "decoder_weight": (vocab, hidden),
        "decoder_bias": (vocab,),
    }


class LMParams:
    """One flat vector and a named view of it per tensor (writing a view writes the vector)."""

    def __init__(self, vocab: int, embed: int, hidden: int, flat: np.ndarray | None = None) -> None:
        self.sizes = (vocab, embed, hidden)
        shapes = lm_shapes(vocab, embed, hidden)
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
        return self.sizes[2]

    def like(self) -> LMParams:
        return LMParams(*self.sizes)

    def lstm(self) -> LSTMWeights:
        return LSTMWeights(*(self.views[name].copy() for name in WEIGHT_NAMES))


def init_lm(
    rng: np.random.Generator, vocab: int, embed: int, hidden: int, forget_bias: float = 1.0
) -> LMParams:
    """PyTorch's defaults: nn.Embedding N(0, 1), nn.LSTM and nn.Linear uniform in ±1/√H; the forget
    gate's bias raised by `forget_bias` (the belt starts mostly open)."""
    params = LMParams(vocab, embed, hidden)
    params["embedding"][...] = rng.standard_normal((vocab, embed))
    bound = 1.0 / np.sqrt(hidden)
    for name in LM_NAMES[1:]:
        params[name][...] = rng.uniform(-bound, bound, params[name].shape)
    forget = GATES.index("f")
    params["bias_ih"][forget * hidden : (forget + 1) * hidden] += forget_bias
    return params


@dataclass(frozen=True)
class LMForward:
    """What the backward pass reads, time-major."""

    ids: np.ndarray  # (B, T) the input tokens
    a: np.ndarray  # (T+1, B, H+E+1): row t is [h_{t−1}, x_t, 1]; row T holds h_{T−1}
    gates: np.ndarray  # (T, B, 4H) i, f, o as σ(pre), g as tanh(pre)
    c: np.ndarray  # (T+1, B, H) c[0] = c0, c[t+1] = c_t
    tanh_c: np.ndarray  # (T, B, H)
    logits: np.ndarray  # (T, B, V)

    @property
    def h(self) -> np.ndarray:
        """(T, B, H) h_t of every step (a view)."""
        return self.a[1:, :, : self.c.shape[2]]


def forward(
    params: LMParams, ids: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None
) -> LMForward:
    """Run ids (B, T) through the embedding and the layer from (h0, c0) (B, H), zeros by default."""
    batch, steps = ids.shape
    _, embed, hidden = params.sizes
    i, f, g, o = (slice(k * hidden, (k + 1) * hidden) for k in range(4))
    scale, shift = one_tanh(hidden)
    a = np.zeros((steps + 1, batch, hidden + embed + 1))
    a[:steps, :, hidden:-1] = params["embedding"][ids.T]  # x_t = E[id_t]
    a[:steps, :, -1] = 1.0
    if h0 is not None:
        a[0, :, :hidden] = h0
    bias = params["bias_ih"] + params["bias_hh"]
    w = np.vstack([params["weight_hh"].T, params["weight_ih"].T, bias]) * scale  # (H+E+1, 4H)
    gates = np.empty((steps, batch, 4 * hidden))
    c = np.zeros((steps + 1, batch, hidden))
    if c0 is not None:
        c[0] = c0
    tanh_c = np.empty((steps, batch, hidden))
    for a_t, a_next, gates_t, c_prev, c_t, tanh_c_t in zip(
        a[:-1], a[1:], gates, c[:-1], c[1:], tanh_c, strict=True
    ):
        np.matmul(a_t, w, out=gates_t)
        np.tanh(gates_t, out=gates_t)
        gates_t *= scale
        gates_t += shift
        np.multiply(gates_t[:, f], c_prev, out=c_t)  # c_t = f ⊙ c_{t−1} + i ⊙ g
        c_t += gates_t[:, i] * gates_t[:, g]
        np.tanh(c_t, out=tanh_c_t)
        np.multiply(gates_t[:, o], tanh_c_t, out=a_next[:, :hidden])  # h_t = o ⊙ tanh(c_t)
    logits = a[1:, :, :hidden] @ params["decoder_weight"].T + params["decoder_bias"]  # (T, B, V)
    return LMForward(ids=ids, a=a, gates=gates, c=c, tanh_c=tanh_c, logits=logits)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)  # exp never overflows
    out: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return out


def loss_and_logit_grad(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy (nats per token) over every step of every sequence, and dL/d logits.
    logits (T, B, V); targets (B, T)."""
    log_p = log_softmax(logits)
    steps, batch, _ = logits.shape
    t_idx, b_idx = np.meshgrid(np.arange(steps), np.arange(batch), indexing="ij")
    labels = targets.T  # (T, B)
    loss = -float(log_p[t_idx, b_idx, labels].mean())
    grad = np.exp(log_p)  # softmax − onehot(y)
    grad[t_idx, b_idx, labels] -= 1.0
    return loss, grad / (steps * batch)


def backward(params: LMParams, run: LMForward, d_logits: np.ndarray, grads: LMParams) -> None:
    """Fill `grads` with dL/d every parameter, given dL/d logits (T, B, V)."""
    steps, batch, hidden = run.tanh_c.shape
    gates = run.gates
    i, f, g, o = (slice(k * hidden, (k + 1) * hidden) for k in range(4))
    h = run.a[1:, :, :hidden]  # (T, B, H)
    flat_d = d_logits.reshape(steps * batch, -1)
    grads["decoder_weight"][...] = flat_d.T @ h.reshape(steps * batch, hidden)
    grads["decoder_bias"][...] = flat_d.sum(axis=0)
    dh_out = d_logits @ params["decoder_weight"]  # (T, B, H) what each h_t gives the loss directly
    local = gates * (1 - gates)  # (T, B, 4H) σ' on the i, f, o columns
    local[..., i] *= gates[..., g]
    local[..., f] *= run.c[:-1]
    np.multiply(gates[..., i], 1 - gates[..., g] ** 2, out=local[..., g])
    local[..., o] *= run.tanh_c
    local4 = local.reshape(steps, batch, 4, hidden)
    dh_dc = gates[..., o] * (1 - run.tanh_c**2)
    dpre = np.empty((steps, batch, 4, hidden))
    w_hh = params["weight_hh"]
    dh_next = np.zeros((batch, hidden))  # dL/dh_t through step t+1
    dh = np.empty((batch, hidden))
    dc = np.empty((batch, hidden))
    dc_next = np.zeros((batch, hidden))
    backwards = (dpre[::-1], dh_out[::-1], dh_dc[::-1], local4[::-1], gates[::-1, :, f])
    for dpre_t, dh_out_t, dh_dc_t, local_t, f_t in zip(*backwards, strict=True):
        np.add(dh_out_t, dh_next, out=dh)
        np.multiply(dh, dh_dc_t, out=dc)
        dc += dc_next
        np.multiply(dc[:, None, :], local_t[:, :3], out=dpre_t[:, :3])
        np.multiply(dh, local_t[:, 3], out=dpre_t[:, 3])
        np.matmul(dpre_t.reshape(batch, 4 * hidden), w_hh, out=dh_next)
        np.multiply(dc, f_t, out=dc_next)
    flat = dpre.reshape(steps * batch, 4 * hidden)
    every = flat.T @ run.a[:-1].reshape(steps * batch, -1)  # (4H, H+E+1)
    grads["weight_hh"][...] = every[:, :hidden]
    grads["weight_ih"][...] = every[:, hidden:-1]
    grads["bias_ih"][...] = every[:, -1]
    grads["bias_hh"][...] = every[:, -1]
    # x_t = E[id_t]: each row of E collects the gradient of every step that read it
    dx = flat @ params["weight_ih"]  # (T·B, E)
    grads["embedding"][...] = 0.0
    np.add.at(grads["embedding"], run.ids.T.reshape(-1), dx)


def loss_and_gradients(
    params: LMParams, ids: np.ndarray, targets: np.ndarray, grads: LMParams | None = None
) -> tuple[float, LMParams]:
    """The mean per-token loss of ids (B, T) predicting targets (B, T), and every gradient."""
    grads = params.like() if grads is None else grads
    run = forward(params, ids)
    loss, d_logits = loss_and_logit_grad(run.logits, targets)
    backward(params, run, d_logits, grads)
    return loss, grads


def clip(grads: LMParams, max_norm: float) -> float:
    """Scale the gradient to norm ≤ max_norm (as torch.nn.utils.clip_grad_norm_); its norm before."""
    norm = float(np.linalg.norm(grads.flat))
    if norm > max_norm:
        grads.flat *= max_norm / norm
    return norm


def params_of(
    embedding: np.ndarray, weights: LSTMWeights, decoder_weight: np.ndarray, decoder_bias: np.ndarray
) -> LMParams:
    """The parameters of a model put together from its parts (an imported or shipped one)."""
    vocab, embed = embedding.shape
    params = LMParams(vocab, embed, weights.hidden_size)
    parts = {"embedding": embedding, "decoder_weight": decoder_weight, "decoder_bias": decoder_bias}
    for name in LM_NAMES:
        params[name][...] = parts[name] if name in parts else getattr(weights, name)
    return params
