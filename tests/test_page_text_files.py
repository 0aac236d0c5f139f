"""Text models from files, on the page, in headless Chromium: weights with an embedding and a
vocabulary file chosen together, and a .txt read as the model's text.

The numbers the page draws are compared with PyTorch's (Embedding → LSTM → Linear, float64).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from tests.helpers import open_in
from tests.test_page_files_i18n import STATUS_MENTIONS
from tests.test_page_share import upload
from tests.test_page_text import STRIP
from tests.test_text_import import VOCAB, npz_file, torch_model, torch_steps

pytestmark = pytest.mark.browser


def chosen(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/octet-stream", "buffer": data}


# One token a line cannot hold a line break token: that file names it "¶" (the text read has none).
LINES = [token.replace("\n", "¶") for token in VOCAB]
VOCAB_FILES = {
    "json": ("vocab.json", json.dumps(VOCAB).encode()),
    "lines": ("vocab.txt", "\n".join(LINES).encode()),
}
TEXT = "def f(x): return x"


@pytest.mark.parametrize("vocab_format", ["json", "lines"])
def test_weights_and_their_vocabulary_chosen_together_read_a_txt_as_torch_does(
    page: Any, server_url: str, vocab_format: str
) -> None:
    model = torch_model()
    open_in(page, server_url, "en")
    page.set_input_files(
        "#upload-weights",
        files=[chosen("lm.npz", npz_file(model, vocab=None)), chosen(*VOCAB_FILES[vocab_format])],
    )
    page.wait_for_selector("#text-input", state="visible")  # the model reads text: its vocabulary came

    upload(page, "#upload-inputs", "code.txt", TEXT.encode())
    page.wait_for_function(f"text => {STRIP} && {STRIP}.tokens.join('') === text", arg=TEXT)
    assert page.input_value("#text-box") == TEXT

    ids = np.array([VOCAB.index(ch) for ch in TEXT])
    _, c, _ = torch_steps(model, ids)
    drawn = page.evaluate(STRIP)
    assert drawn["quantity"] == "c"
    assert drawn["values"] == pytest.approx(c[:, drawn["unit"]], abs=1e-4)  # float32 on the wire


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_txt_for_a_model_that_reads_numbers_is_refused_and_changes_nothing(
    page: Any, server_url: str, lang: str
) -> None:
    open_in(page, server_url, lang)
    before = page.evaluate("document.body.dataset.revision")
    upload(page, "#upload-inputs", "notes.txt", b"hello\n")
    page.wait_for_function(STATUS_MENTIONS, arg="notes.txt")
    said = page.inner_text("#status")
    assert ("reads numbers" in said) if lang == "en" else ("숫자를 읽습니다" in said)
    assert page.evaluate("document.body.dataset.revision") == before


def test_a_vocabulary_alone_says_it_goes_with_its_weights(page: Any, server_url: str) -> None:
    open_in(page, server_url, "en")
    upload(page, "#upload-weights", *VOCAB_FILES["json"])
    page.wait_for_function(STATUS_MENTIONS, arg="vocab.json")
    assert "together with its weights file" in page.inner_text("#status")
