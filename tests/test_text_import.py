"""A text model imported with its LSTM: nn.Embedding → nn.LSTM → nn.Linear saved by PyTorch as
.safetensors (vocab in the metadata) and as .npz (a vocab string array), or with a separate
vocabulary file; text run through it agrees with torch step by step, top-5 next tokens included."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest

from app.engine import lstm
from app.engine.embedding import TextModel, UnknownToken
from app.file_errors import FileProblem
from app.text_import import import_model, read_vocab
from tests.helpers import require_torch

VOCAB = ["<unk>", "\n", " ", "(", ")", ":", "=", "d", "e", "f", "i", "n", "r", "t", "u", "x"]
TEXT = "def f(x):\n    return x\n"


def torch_model(seed: int = 0, embed: int = 4, hidden: int = 6) -> Any:
    require_torch()
    import torch

    torch.manual_seed(seed)
    model = torch.nn.ModuleDict(
        {
            "embedding": torch.nn.Embedding(len(VOCAB), embed),
            "lstm": torch.nn.LSTM(embed, hidden, batch_first=True),
            "decoder": torch.nn.Linear(hidden, len(VOCAB)),
        }
    ).double()
    return model


def safetensors_file(model: Any, vocab: list[str] | None = VOCAB) -> bytes:
    from safetensors.torch import save

    metadata = {"format": "pt"} | ({"vocab": json.dumps(vocab)} if vocab is not None else {})
    return save({k: v.contiguous() for k, v in model.state_dict().items()}, metadata=metadata)


def npz_file(model: Any, vocab: list[str] | None = VOCAB) -> bytes:
    buffer = io.BytesIO()
    arrays = {k: v.numpy() for k, v in model.state_dict().items()}
    if vocab is not None:
        arrays["vocab"] = np.array(vocab)
    np.savez(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def torch_steps(model: Any, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """h, c (T, H) one step at a time (nn.LSTM returns only the last c), and softmax (T, V)."""
    import torch

    x = model["embedding"](torch.from_numpy(ids)[None])  # (1, T, E)
    state = None
    hs, cs = [], []
    with torch.no_grad():
        for t in range(x.shape[1]):
            out, state = model["lstm"](x[:, t : t + 1], state)
            hs.append(out[0, 0].numpy())
            cs.append(state[1][0, 0].numpy())
        h = np.array(hs)
        p = torch.softmax(model["decoder"](torch.from_numpy(h)), dim=1).numpy()
    return h, np.array(cs), p


@pytest.mark.parametrize(("maker", "filename"), [(safetensors_file, "lm.safetensors"), (npz_file, "lm.npz")])
def test_text_through_an_imported_pytorch_language_model_agrees_with_torch(maker: Any, filename: str) -> None:
    model = torch_model()
    found, text = import_model(maker(model), filename)
    assert text is not None and text.vocab == tuple(VOCAB)
    ids = text.tokenize(TEXT)
    assert [text.vocab[k] for k in ids] == list(TEXT)
    assert isinstance(found.weights, lstm.LSTMWeights)
    trace = lstm.run(found.weights, text.embed(ids))
    h, c, p = torch_steps(model, ids)
    np.testing.assert_allclose(trace.h, h, rtol=0, atol=1e-6)
    np.testing.assert_allclose(trace.c, c, rtol=0, atol=1e-6)
    np.testing.assert_allclose(trace.x, model["embedding"].weight.detach().numpy()[ids], atol=0)
    top, probs = text.top(trace.h)
    expected = np.argsort(-p, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(top, expected)
    np.testing.assert_allclose(probs, np.take_along_axis(p, expected, axis=1), rtol=0, atol=1e-6)
    assert np.all(np.diff(probs, axis=1) <= 0)


def test_a_separate_vocabulary_file_json_or_lines_names_the_rows() -> None:
    model = torch_model()
    data = safetensors_file(model, vocab=None)
    by_json = import_model(data, "lm.safetensors", vocab_file=json.dumps(VOCAB).encode())[1]
    words = ["<unk>", *(f"w{k}" for k in range(1, len(VOCAB)))]
    by_lines = import_model(data, "lm.safetensors", vocab_file="\n".join(words).encode() + b"\n")[1]
    assert by_json is not None and by_json.vocab == tuple(VOCAB)
    assert by_lines is not None and by_lines.vocab == tuple(words)
    assert not by_lines.by_characters
    assert by_lines.tokenize("w3  w1\nnope").tolist() == [3, 1, 0]  # words, and <unk> for the rest


def test_a_keras_embedding_and_dense_are_found_by_their_names() -> None:
    rng = np.random.default_rng(1)
    vocab, embed, hidden = len(VOCAB), 3, 2
    arrays = {
        "embedding/embeddings:0": rng.standard_normal((vocab, embed)),
        "lstm/lstm_cell/kernel:0": rng.standard_normal((embed, 4 * hidden)),
        "lstm/lstm_cell/recurrent_kernel:0": rng.standard_normal((hidden, 4 * hidden)),
        "lstm/lstm_cell/bias:0": rng.standard_normal(4 * hidden),
        "dense/kernel:0": rng.standard_normal((hidden, vocab)),
        "dense/bias:0": rng.standard_normal(vocab),
        "vocab": np.array(VOCAB),
    }
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    _, text = import_model(buffer.getvalue(), "keras.npz")
    assert text is not None and text.decoder_weight is not None
    np.testing.assert_array_equal(text.embedding, arrays["embedding/embeddings:0"])
    np.testing.assert_array_equal(text.decoder_weight, arrays["dense/kernel:0"].T)


def test_an_lstm_without_an_embedding_imports_as_it_always_did() -> None:
    model = torch_model()
    state = {k: v for k, v in model.state_dict().items() if k.startswith("lstm.")}
    buffer = io.BytesIO()
    np.savez(buffer, **{k: v.numpy() for k, v in state.items()})
    found, text = import_model(buffer.getvalue(), "lstm.npz")
    assert text is None and found.layer.id == "lstm.l0"


@pytest.mark.parametrize(
    ("vocab", "code"),
    [
        (VOCAB[:-1], "vocab_size"),
        ([*VOCAB[:-1], "e"], "vocab_duplicate"),
        ([*VOCAB[:-1], ""], "vocab_token"),
    ],
)
def test_a_vocabulary_that_does_not_fit_is_refused_naming_why(vocab: list[str], code: str) -> None:
    with pytest.raises(FileProblem) as refused:
        import_model(npz_file(torch_model(), vocab), "lm.npz")
    assert refused.value.code == code


def test_an_embedding_without_a_vocabulary_is_refused_saying_where_one_goes() -> None:
    with pytest.raises(FileProblem) as refused:
        import_model(npz_file(torch_model(), None), "lm.npz")
    assert refused.value.code == "vocab_missing" and refused.value.params["name"] == "embedding.weight"


@pytest.mark.parametrize(("data", "code"), [(b"\xff\xfe", "vocab_not_utf8"), (b"[1, 2]", "vocab_not_list"),
                                            (b"[\"a\",", "vocab_json"), (b"[]", "vocab_empty")])  # fmt: skip
def test_a_broken_vocabulary_file_is_refused(data: bytes, code: str) -> None:
    with pytest.raises(FileProblem) as refused:
        read_vocab(data)
    assert refused.value.code == code


def test_unknown_text_is_refused_naming_its_position_when_the_vocabulary_has_no_unk() -> None:
    text = TextModel(("a", "b", " "), np.eye(3))
    assert text.tokenize("ab a").tolist() == [0, 1, 2, 0]
    with pytest.raises(UnknownToken) as refused:
        text.tokenize("ab c")
    assert (refused.value.token, refused.value.position) == ("c", 3)


def test_the_top_five_over_a_large_vocabulary_in_blocks_are_the_full_softmax_s() -> None:
    rng = np.random.default_rng(4)
    vocab = tuple(f"w{k}" for k in range(5000))
    weight, bias = rng.standard_normal((5000, 3)), rng.standard_normal(5000)
    text = TextModel(vocab, np.zeros((5000, 1)), weight, bias)
    h = rng.uniform(-1, 1, (300, 3))  # 300 × 5000 logits: two blocks
    ids, p = text.top(h)
    logits = h @ weight.T + bias
    full = np.exp(logits - logits.max(axis=1, keepdims=True))
    full /= full.sum(axis=1, keepdims=True)
    expected = np.argsort(-full, axis=1)[:, :5]
    np.testing.assert_array_equal(ids, expected)
    np.testing.assert_allclose(p, np.take_along_axis(full, expected, axis=1), rtol=1e-12)


def test_a_vocabulary_of_numbers_or_metadata_that_is_not_json_is_refused() -> None:
    model = torch_model()
    buffer = io.BytesIO()
    np.savez(buffer, vocab=np.arange(len(VOCAB)), **{k: v.numpy() for k, v in model.state_dict().items()})
    with pytest.raises(FileProblem) as refused:
        import_model(buffer.getvalue(), "lm.npz")
    assert refused.value.code == "vocab_dtype"
    from safetensors.torch import save

    broken = save(dict(model.state_dict()), metadata={"vocab": "[not json"})
    with pytest.raises(FileProblem) as refused:
        import_model(broken, "lm.safetensors")
    assert refused.value.code == "vocab_json"
