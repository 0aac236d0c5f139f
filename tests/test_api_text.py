"""Text over REST: POST /api/weights hands back an embedding, its vocabulary and decoder beside the
LSTM (from the file, or a vocabulary file sent with it); POST /api/inputs reads a .txt as text and
a 1-D integer .npy also as token ids; their answers run through /api/trace as torch runs them."""

import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from tests.test_text_import import TEXT, VOCAB, npz_file, safetensors_file, torch_model, torch_steps


def test_an_uploaded_language_model_runs_text_through_the_trace_api_as_torch_does(client: TestClient) -> None:
    model = torch_model()
    answer = client.post("/api/weights", files={"file": ("lm.safetensors", safetensors_file(model))})
    assert answer.status_code == 200, answer.text
    imported = answer.json()
    assert imported["layer"] == "lstm.l0" and imported["text"]["vocab"] == VOCAB
    body = {"weights": imported["weights"], "text": imported["text"] | {"text": TEXT}}
    trace = client.post("/api/trace", json=body).json()
    ids = np.array([VOCAB.index(ch) for ch in TEXT])
    h, c, p = torch_steps(model, ids)
    np.testing.assert_allclose(trace["h"], h, atol=1e-6)
    np.testing.assert_allclose(trace["c"], c, atol=1e-6)
    assert trace["tokens"] == list(TEXT)
    best = np.argsort(-p, axis=1, kind="stable")[:, :5]
    assert trace["top"]["tokens"] == [[VOCAB[k] for k in row] for row in best]
    np.testing.assert_allclose(trace["top"]["p"], np.take_along_axis(p, best, axis=1), atol=1e-6)


def test_a_vocabulary_file_sent_beside_the_weights_names_the_embedding_rows(client: TestClient) -> None:
    data = npz_file(torch_model(), vocab=None)
    vocab = ("vocab.json", json.dumps(VOCAB).encode())
    answer = client.post("/api/weights", files={"file": ("lm.npz", data), "vocab": vocab})
    assert answer.status_code == 200, answer.text
    assert answer.json()["text"]["vocab"] == VOCAB
    refused = client.post("/api/weights", files={"file": ("lm.npz", data)})
    assert refused.status_code == 422 and refused.json()["code"] == "vocab_missing"


def test_a_plain_lstm_upload_answers_as_it_always_did(client: TestClient) -> None:
    model = torch_model()
    arrays = {k: v.numpy() for k, v in model.state_dict().items() if k.startswith("lstm.")}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    answer = client.post("/api/weights", files={"file": ("lstm.npz", buffer.getvalue())})
    assert answer.status_code == 200 and "text" not in answer.json()


def test_a_txt_upload_is_text_not_numbers(client: TestClient) -> None:
    answer = client.post("/api/inputs", files={"file": ("code.txt", b"x = 1, 2\n")})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"text": "x = 1, 2\n"}
    bad = client.post("/api/inputs", files={"file": ("code.txt", b"\xff\xfe\xfa")})
    assert bad.status_code == 400 and bad.json()["code"] == "text_not_utf8"


def test_an_npy_of_integers_comes_back_as_token_ids_too(client: TestClient) -> None:
    for array, ids in ((np.array([3, 1, 4, 1]), [3, 1, 4, 1]), (np.array([0.5, 1.0]), None)):
        buffer = io.BytesIO()
        np.save(buffer, array)
        answer = client.post("/api/inputs", files={"file": ("ids.npy", buffer.getvalue())}).json()
        assert answer.get("ids") == ids and answer["T"] == len(array)


def test_the_shipped_text_model_uploads_as_anyone_s_would(client: TestClient) -> None:
    """app/data/python-code.npz is an ordinary upload: PyTorch names, a vocab string array, deflated."""
    from app.scenarios import PYTHON_CODE

    answer = client.post("/api/weights", files={"file": ("python-code.npz", PYTHON_CODE.read_bytes())})
    assert answer.status_code == 200, answer.text
    imported = answer.json()
    assert imported["layer"] == "lstm.l0" and imported["layers"][0]["H"] == 128
    assert len(imported["text"]["vocab"]) == 97 and imported["text"]["vocab"][0] == "<unk>"
    body = {"weights": imported["weights"], "text": imported["text"] | {"text": "for x in y:\n"}}
    trace = client.post("/api/trace", json=body).json()
    assert trace["tokens"] == list("for x in y:\n") and trace["top"]["tokens"][-1][0] == " "  # an indent


def test_a_text_trace_as_npz_holds_its_tokens_and_next_tokens_without_pickle(client: TestClient) -> None:
    model = torch_model()
    imported = client.post("/api/weights", files={"file": ("lm.safetensors", safetensors_file(model))}).json()
    body = {"weights": imported["weights"], "text": imported["text"] | {"text": TEXT}}
    as_json = client.post("/api/trace", json=body).json()
    answer = client.post("/api/trace", json=body | {"format": "npz"})
    assert answer.status_code == 200, answer.text
    with np.load(io.BytesIO(answer.content), allow_pickle=False) as npz:
        assert list(npz["tokens"]) == list(TEXT)
        assert npz["top_tokens"].tolist() == as_json["top"]["tokens"]
        np.testing.assert_array_equal(npz["top_p"], as_json["top"]["p"])
        np.testing.assert_array_equal(npz["h"], as_json["h"])


def test_api_open_takes_a_vocabulary_part_and_a_txt_of_text(
    client: TestClient, tmp_path: Path, override_settings: Callable[..., None]
) -> None:
    """A notebook's three parts: weights without a vocabulary, the vocabulary (one token a line),
    and the text to read as a .txt; the key opens that text, read as PyTorch reads it."""
    override_settings(open_dir=str(tmp_path))
    model = torch_model()
    lines = "\n".join(token.replace("\n", "¶") for token in VOCAB).encode()  # "¶" for the line break
    text = "def f(x): return x"
    files = {"file": ("lm.npz", npz_file(model, vocab=None)), "vocab": ("vocab.txt", lines),
             "inputs": ("code.txt", text.encode())}  # fmt: skip
    answer = client.post("/api/open", files=files)
    assert answer.status_code == 200, answer.text
    assert answer.json()["T"] == len(text)
    h, c, p = torch_steps(model, np.array([VOCAB.index(ch) for ch in text]))
    with client.websocket_connect("/ws") as ws:
        json.loads(ws.receive_text())  # the first snapshot
        ws.send_text(json.dumps({"type": "open", "id": 1, "open": answer.json()["id"]}))
        while (opened := json.loads(ws.receive_text()))["type"] != "snapshot":
            pass
    assert opened["tokens"] == list(text)
    np.testing.assert_allclose(opened["trace"]["h"], h, atol=1e-6)
    np.testing.assert_allclose(opened["trace"]["c"], c, atol=1e-6)
    best = np.argsort(-p, axis=1, kind="stable")[:, :5]
    assert opened["top"]["tokens"] == [[VOCAB[k].replace("\n", "¶") for k in row] for row in best]
