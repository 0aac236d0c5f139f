"""The language model's training pass: Embedding → LSTM → Linear on every h_t, its forward against
lstm.run, its per-step cross-entropy and every gradient against torch.autograd (float64, 1e−6)."""

from __future__ import annotations

import numpy as np

from app.engine import lstm
from app.engine.batched import Adam
from app.engine.lm import LM_NAMES, LMParams, clip, forward, init_lm, loss_and_gradients
from tests.helpers import require_torch


def case(seed: int = 3) -> tuple[LMParams, np.ndarray, np.ndarray]:
    """Random parameters (±0.8 off the embedding, so gates are far from ½) and ids, V=7, E=3, H=5,
    B=4, T=25; every token appears, and some twice in a step (the embedding's gradient adds up)."""
    rng = np.random.default_rng(seed)
    params = init_lm(rng, vocab=7, embed=3, hidden=5)
    params.flat[:] = rng.uniform(-0.8, 0.8, params.flat.size)
    ids = rng.integers(0, 7, (4, 26))
    ids[:, 0] = 2
    return params, ids[:, :-1], ids[:, 1:]


def test_the_forward_runs_each_sequence_as_lstm_run_on_its_embedding_rows() -> None:
    params, ids, _ = case()
    run = forward(params, ids)
    for b, sequence in enumerate(ids):
        trace = lstm.run(params.lstm(), params["embedding"][sequence])
        np.testing.assert_allclose(run.h[:, b], trace.h, rtol=0, atol=1e-13)
        np.testing.assert_allclose(run.c[1:, b], trace.c, rtol=0, atol=1e-13)
        logits = trace.h @ params["decoder_weight"].T + params["decoder_bias"]
        np.testing.assert_allclose(run.logits[:, b], logits, rtol=0, atol=1e-13)


def test_loss_and_every_gradient_agree_with_torch_autograd() -> None:
    require_torch()
    import torch

    params, ids, targets = case()
    vocab, embed, hidden = params.sizes
    embedding = torch.nn.Embedding(vocab, embed, dtype=torch.float64)
    net = torch.nn.LSTM(embed, hidden, batch_first=True, dtype=torch.float64)
    decoder = torch.nn.Linear(hidden, vocab, dtype=torch.float64)
    owners = {"embedding": (embedding, "weight"), "decoder_weight": (decoder, "weight"),
              "decoder_bias": (decoder, "bias")}  # fmt: skip
    tensors = {}
    with torch.no_grad():
        for name in LM_NAMES:
            module, attribute = owners.get(name, (net, f"{name}_l0"))
            tensor = getattr(module, attribute)
            tensor.copy_(torch.from_numpy(params[name]))
            tensors[name] = tensor
    h, _ = net(embedding(torch.from_numpy(ids)))
    logits = decoder(h)  # (B, T, V)
    expected = torch.nn.functional.cross_entropy(
        logits.reshape(-1, vocab), torch.from_numpy(targets).reshape(-1)
    )
    expected.backward()

    loss, grads = loss_and_gradients(params, ids, targets)

    assert abs(loss - expected.item()) < 1e-12
    for name in LM_NAMES:
        torch_grad = tensors[name].grad
        assert torch_grad is not None
        np.testing.assert_allclose(grads[name], torch_grad.numpy(), rtol=0, atol=1e-6, err_msg=name)
        # far tighter in fact: the same float64 sums in another order
        assert np.abs(grads[name] - torch_grad.numpy()).max() < 1e-12, name


def test_a_few_adam_updates_lower_the_loss_on_a_repeating_text() -> None:
    rng = np.random.default_rng(0)
    params = init_lm(rng, vocab=5, embed=4, hidden=8)
    ids = np.tile(np.arange(5), (3, 9))  # 0 1 2 3 4 0 1 2 …: each token names the next
    adam, grads = Adam.start(params), params.like()
    first, _ = loss_and_gradients(params, ids[:, :-1], ids[:, 1:], grads)
    for _ in range(150):
        loss, _ = loss_and_gradients(params, ids[:, :-1], ids[:, 1:], grads)
        clip(grads, 5.0)
        adam.step(params, grads, 0.03)
    assert first > 1.3  # ≈ ln 5 at the start
    assert loss < 0.05


def test_clip_scales_a_long_gradient_to_the_norm_asked_and_leaves_a_short_one() -> None:
    params = LMParams(3, 2, 2)
    params.flat[:] = 3.0
    before = clip(params, 1.0)
    assert np.isclose(before, 3.0 * np.sqrt(params.flat.size))
    assert np.isclose(np.linalg.norm(params.flat), 1.0)
    assert clip(params, 5.0) == np.linalg.norm(params.flat)
