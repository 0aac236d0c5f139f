"""Files in and out: import an LSTM layer or an input sequence; export weights and traces.

A refused file raises a FileProblem (app/file_errors.py); `refusal` answers it as
{"detail": English text, "code", "params"} (the code and params of app/locales/*.json, for a page
to say it in its own language): 400 unreadable, 413 over a limit, 422 readable but unusable.
"""

from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile as StarletteUpload

from ..config import get_settings
from ..encoding import dumps
from ..engine.lstm import WEIGHT_NAMES, LSTMWeights
from ..file_errors import FileProblem, Malformed, TooLarge, Unusable, setting
from ..inputs_io import is_text_file, read_inputs, read_text, token_ids
from ..schemas import ImportedInputs, ImportedWeights, Refusal, TraceRequest, WeightsExport
from ..stack_import import import_stack
from ..text_import import import_model
from ..trace_csv import trace_csv
from ..weights_io import ExportFormat, export_weights
from .api import BODY_TOO_LARGE, run_request

router = APIRouter(prefix="/api")
# Bodies app/web/body_limit.py bounds as they stream in: uploads (max_upload_bytes; /api/open's, of
# app/web/opener.py, too, as a form or as JSON), and the exports' JSON (max_request_bytes).
UPLOADS = ("/api/weights", "/api/inputs", "/api/open")
JSON_BODIES = ("/api/export/weights.safetensors", "/api/export/weights.npz", "/api/export/trace.csv")
_STATUS = {Malformed: 400, TooLarge: 413, Unusable: 422}
_REFUSALS: dict[int | str, dict[str, Any]] = {
    status: {"model": Refusal, "description": kind.__doc__} for kind, status in _STATUS.items()
}
_BODY_TOO_LARGE: dict[int | str, dict[str, Any]] = {413: BODY_TOO_LARGE}
LayerField = Annotated[str | None, Form(description="id of the layer to import (default: the first)")]
VocabField = Annotated[
    UploadFile | None,
    File(description="a vocabulary for the embedding: a JSON list of tokens, or one token a line"),
]
ModelField = Annotated[
    Literal["lstm", "gru", "auto"],
    Form(
        description='the kind of layer to import, as /api/trace\'s `model`: "lstm" (default) or "gru"; '
        "\"auto\": an LSTM, or a GRU if the file's layers have a GRU's shapes"
    ),
]


@router.post(
    "/weights",
    response_model=ImportedWeights,
    responses=_REFUSALS,
    summary="Import one LSTM or GRU layer from a .safetensors or .npz file (PyTorch or Keras naming)",
)
def import_weights(
    file: UploadFile, layer: LayerField = None, model: ModelField = "lstm", vocab: VocabField = None
) -> Response:
    """The layer's weights in /api/trace's form, and every layer of that kind the file holds; with
    an embedding beside an LSTM, also `text`: its vocabulary, embedding and decoder (/api/trace's
    `text` without the text)."""
    vocab_file = None if vocab is None else read_upload(vocab)
    # a blank field: the default layer
    found, text = import_model(read_upload(file), file.filename or "", layer or None, vocab_file, model)
    body: dict[str, object] = {
        "weights": {name: getattr(found.weights, name) for name in WEIGHT_NAMES},
        "layer": found.layer.id,
        "layers": [each.summary() for each in found.layers],
        "skipped": [{"id": layer_id, **why.answer()} for layer_id, why in found.skipped.items()],
    }
    if found.layer.kind == "gru":  # an LSTM's answer stays as it always was
        body |= {"model": "gru", "reset_after": found.layer.reset_after}
    stacked = import_stack(found, vocab_file)
    if stacked is not None:  # restore it whole with `stack`: the text around it reads its ends
        body["stack"] = [
            {
                "id": layer_id,
                "weights": _tensors(layer.forward),
                "reverse": layer.reverse and _tensors(layer.reverse),
            }
            for layer_id, layer in zip(stacked.ids, stacked.stack.layers, strict=True)
        ]
        text = stacked.text
    if text is not None:
        decoder = {"decoder_weight": text.decoder_weight, "decoder_bias": text.decoder_bias}
        body["text"] = {"vocab": list(text.vocab), "embedding": text.embedding} | (
            decoder if text.decoder_weight is not None else {}
        )
    return Response(dumps(body), media_type="application/json")


def _tensors(weights: LSTMWeights) -> dict[str, np.ndarray]:
    return {name: getattr(weights, name) for name in WEIGHT_NAMES}


@router.post(
    "/inputs",
    response_model=ImportedInputs,
    responses=_REFUSALS,
    summary="Import an input sequence from a .csv (T rows × D numbers) or .npy file, or text from a .txt",
)
def import_inputs(file: UploadFile) -> Response:
    """x; a .txt file's text instead (for a model that reads text: send it with set_text); and a
    1-D .npy of non-negative integers also as `ids` (token ids, for a model with an embedding)."""
    data, filename = read_upload(file), file.filename or ""
    if is_text_file(filename):
        return Response(dumps({"text": read_text(data)}), media_type="application/json")
    x = read_inputs(data, filename)
    ids = token_ids(data, x)
    body = {"x": x, "T": x.shape[0], "D": x.shape[1], **({} if ids is None else {"ids": ids})}
    return Response(dumps(body), media_type="application/json")


@router.post(
    "/export/weights.safetensors",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "lstm.safetensors"},
        **_BODY_TOO_LARGE,
    },
    summary="One layer as .safetensors",
)
def export_safetensors(request: WeightsExport) -> Response:
    """PyTorch naming (weight_ih_l0, …, float64): nn.LSTM's load_state_dict takes the file as is."""
    return _weights_file(request, "safetensors")


@router.post(
    "/export/weights.npz",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "lstm.npz"},
        **_BODY_TOO_LARGE,
    },
    summary="One layer as .npz",
)
def export_npz(request: WeightsExport) -> Response:
    """PyTorch naming (weight_ih_l0, …, float64), as np.savez writes it."""
    return _weights_file(request, "npz")


@router.post(
    "/export/trace.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The trace as CSV"}, **_REFUSALS},
    summary="A trace as CSV: a row per (step, unit)",
)
def export_trace_csv(request: TraceRequest) -> StreamingResponse:
    """Columns step, unit, x0…x{D-1} (the step's inputs, repeated on each unit row), then one
    column per quantity in /api/trace's order."""
    lines = trace_csv(run_request(request))
    return StreamingResponse(lines, media_type="text/csv", headers=_attachment("trace.csv"))


async def refusal(request: Request, exc: Exception) -> JSONResponse:
    """A refused file: its message, code and params, and a status by kind; never a stack trace or a path."""
    assert isinstance(exc, FileProblem)
    return JSONResponse(exc.answer(), status_code=_STATUS.get(type(exc), 400))


def read_upload(file: StarletteUpload) -> bytes:
    """The upload, read no further than the limit (app/web/body_limit.py has already cut off
    bodies over it; this holds when the route is mounted without that guard)."""
    limit = get_settings().max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge("upload_too_large", limit=limit, setting=setting("max_upload_bytes"))
    return data


def _weights_file(request: WeightsExport, fmt: ExportFormat) -> Response:
    weights = LSTMWeights(**{k: np.asarray(v) for k, v in request.weights.model_dump().items()})
    headers = _attachment(f"lstm.{fmt}")
    return Response(export_weights(weights, fmt), media_type="application/octet-stream", headers=headers)


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
