"""POST /api/open: a model from a script or notebook, kept on the server, and the page that opens it.

Either multipart (a weights `file` as /api/weights takes it, with `layer`, `model`, `vocab`, and the
inputs as an `inputs` file as /api/inputs takes it, or `x` as JSON text, or `text`), or a JSON body
as /api/trace's (weights as lists). The answer's `url` opens exactly that model and those inputs in
the page (`/?open=<id>`): the page's socket sends {"type": "open", "open": id} and its session
reads the model from the server's disk (app/opened.py).

A file whose layers make a stack (nn.LSTM(num_layers=K), app/stack_import.py decides, as for
/api/weights) is kept whole: every layer and direction, and the text around the stack; the
session shows the chosen layer (layer 0 by default) and `set_layer` any other.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from ..config import get_settings
from ..engine.embedding import TextModel, UnknownToken
from ..engine.gru import GRUWeights
from ..engine.lstm import LSTMWeights
from ..file_errors import Malformed, Unusable, setting
from ..inputs_io import is_text_file, read_inputs, read_text
from ..opened import Opened, save
from ..schemas import OpenAnswer, OpenFields, OpenRequest, Refusal
from ..stack_import import FoundStack, import_stack
from ..text_import import import_model
from ..weights_io import Imported
from .files import read_upload

router = APIRouter(prefix="/api")
_MODELS: dict[str, Literal["lstm", "gru", "auto"]] = {"lstm": "lstm", "gru": "gru", "auto": "auto"}
_FILES = ("file", "vocab", "inputs")
DEFAULT_STEPS = 40  # a form without inputs: 40 steps of zeros (app/scenarios.py custom_scenario)
_BINARY = {"type": "string", "format": "binary"}
_TEXT = {"type": "string"}
# The two bodies it takes, for the OpenAPI document (the route reads the request itself: FastAPI
# binds one body type per route). OpenRequest's parts are /api/trace's, already in the components.
_BODIES = {
    "application/json": {
        "schema": {
            key: value
            for key, value in OpenRequest.model_json_schema(
                ref_template="#/components/schemas/{model}"
            ).items()
            if key != "$defs"
        }
    },
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["file"],
            "properties": {
                **{name: _BINARY for name in _FILES},
                **{name: _TEXT for name in ("layer", "x", "text", "h0", "c0", "title")},
                "model": {"type": "string", "enum": ["lstm", "gru", "auto"], "default": "lstm"},
            },
        }
    },
}


@router.post(
    "/open",
    response_model=OpenAnswer,
    responses={
        400: {"model": Refusal, "description": "an unreadable file"},
        413: {"model": Refusal, "description": "over a limit (the body, H, D, T, open_max_bytes)"},
    },
    openapi_extra={"requestBody": {"required": True, "content": _BODIES}},
    summary="Keep a model and its inputs on the server; answer the page's URL that opens them",
)
async def open_model(request: Request) -> JSONResponse:
    """Multipart: `file` (.safetensors or .npz, as /api/weights) and `layer`, `model` ("lstm",
    "gru" or "auto"), `vocab`; with one of `inputs` (a .csv, .npy or .txt file), `x` (JSON text of
    T rows of D numbers) or `text`; and `h0`, `c0` (JSON), `title`. JSON: /api/trace's body without
    `gradients`, plus `title`. Kept for open_max_age_seconds (settings)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        async with request.form(max_files=len(_FILES), max_fields=16) as form:
            opened, found, stacked = await run_in_threadpool(_from_form, form)
        layers = _layers(found) | _stack(stacked)
    else:
        opened, layers = _from_json(await request.body()), {}
    key = await run_in_threadpool(save, opened)
    return JSONResponse(_answer(request, key, opened) | layers)


def _layers(found: Imported) -> dict[str, Any]:
    """The file's layers, as /api/weights answers them (the page's layer picker)."""
    return {
        "layer": found.layer.id,
        "layers": [each.summary() for each in found.layers],
        "skipped": [{"id": layer_id, **why.answer()} for layer_id, why in found.skipped.items()],
    }


def _stack(stacked: FoundStack | None) -> dict[str, Any]:
    """A stack's layers bottom up, for the page to say what it opened: {"stack": [{"id", "H", "D",
    "reverse": whether the layer has a reverse direction}, …]}, or nothing for one layer."""
    if stacked is None:
        return {}
    return {"stack": [
        {"id": layer_id, "H": layer.hidden_size, "D": layer.input_size, "reverse": layer.reverse is not None}
        for layer_id, layer in zip(stacked.ids, stacked.stack.layers, strict=True)
    ]}  # fmt: skip


def _answer(request: Request, key: str, opened: Opened) -> dict[str, Any]:
    path = f"/?open={key}"
    model = "gru" if isinstance(opened.weights, GRUWeights) else "lstm"
    steps, inputs = opened.x.shape
    return {
        "id": key,
        "url": str(request.base_url).rstrip("/") + path,
        "path": path,
        "expires_in": get_settings().open_max_age_seconds,
        "model": model,
        "T": steps,
        "D": inputs,
        "H": opened.weights.hidden_size,
    }


def _invalid(err: ValidationError, where: str) -> RequestValidationError:
    """pydantic's errors, located in the body or the form as the 422 of any route says them."""
    errors = [{**error, "loc": (where, *error["loc"])} for error in err.errors(include_url=False)]
    return RequestValidationError(errors)


def _from_json(body: bytes) -> Opened:
    try:
        request = OpenRequest.model_validate_json(body)
    except ValidationError as err:
        raise _invalid(err, "body") from None
    tensors = {
        name: np.asarray(value, dtype=np.float64) for name, value in request.weights.model_dump().items()
    }
    weights: LSTMWeights | GRUWeights = (
        GRUWeights(**tensors, reset_after=request.reset_after is not False)
        if request.model == "gru"
        else LSTMWeights(**tensors)
    )
    text = None if request.text is None else request.text.model()
    ids = None if request.text is None else request.text.ids()
    return Opened(
        weights, request.inputs(), _vector(request.h0), _vector(request.c0), text, ids, request.title
    )


def _from_form(form: FormData) -> tuple[Opened, Imported, FoundStack | None]:
    files = {name: _file(form, name) for name in _FILES}
    if files["file"] is None:
        raise Malformed("open_no_file")
    fields = {name: form.get(name) for name in OpenFields.model_fields}
    try:
        given = OpenFields.model_validate({name: value for name, value in fields.items() if value})
    except ValidationError as err:
        raise _invalid(err, "form") from None
    model = _MODELS.get(str(form.get("model") or "lstm"))
    if model is None:
        raise Unusable("open_bad_model", value=str(form.get("model"))[:20], known=list(_MODELS))
    layer = form.get("layer")
    vocab = None if files["vocab"] is None else read_upload(files["vocab"])
    weights_file = files["file"]
    found, text = import_model(
        read_upload(weights_file), weights_file.filename or "",
        layer if isinstance(layer, str) and layer else None, vocab, model,
    )  # fmt: skip
    stacked = import_stack(found, vocab)
    if stacked is None:
        return _opened(found.weights, text, given, files["inputs"]), found, None
    # The whole stack, showing the chosen layer; the text around it reads its ends.
    layer_k, reverse = stacked.shown
    shown = stacked.stack.layers[layer_k].direction(reverse)
    opened = _opened(shown, stacked.text, given, files["inputs"], stacked.stack.input_size)
    return replace(opened, stack=stacked.stack, shown=stacked.shown), found, stacked


def _file(form: FormData, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) else None


def _opened(
    weights: LSTMWeights | GRUWeights,
    text: TextModel | None,
    given: OpenFields,
    inputs: UploadFile | None,
    width: int | None = None,
) -> Opened:
    """The layer with its inputs, every size checked against its D (a stack's: layer 0's, `width`)
    and H."""
    hidden, width = weights.hidden_size, width or weights.input_size
    x, ids = _inputs(text, given, inputs, width)
    _check_inputs(x, width)
    for name in ("h0", "c0"):
        value = getattr(given, name)
        if value is not None and len(value) != hidden:
            raise Unusable("state_length", field=name, length=len(value), hidden=hidden)
    if given.c0 is not None and isinstance(weights, GRUWeights):
        raise Unusable("gru_has_no_c0")
    return Opened(weights, x, _vector(given.h0), _vector(given.c0), text, ids, given.title)


def _inputs(
    text: TextModel | None, given: OpenFields, inputs: UploadFile | None, width: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """x, and the token ids it was read from when the inputs are text: at most one of them given."""
    chosen = [name for name, there in (("inputs", inputs), ("x", given.x), ("text", given.text)) if there]
    if len(chosen) > 1:
        raise Unusable("open_one_input", given=chosen)
    if not chosen:  # the weights alone (the page's own upload): zeros, as a custom model starts
        return np.zeros((DEFAULT_STEPS, width)), None
    words = given.text
    if inputs is not None:
        data = read_upload(inputs)
        if not is_text_file(inputs.filename or ""):
            return read_inputs(data, inputs.filename or ""), None
        words = read_text(data)
    if words is None:
        return np.asarray(given.x, dtype=np.float64), None
    if text is None:
        raise Unusable("no_text_model", field="text")
    ids = _token_ids(text, words)
    return text.embed(ids), ids


def _token_ids(text: TextModel, words: str) -> np.ndarray:
    limit = get_settings().max_text_chars
    if len(words) > limit:
        raise Unusable(
            "text_too_long", field="text", value=len(words), limit=limit, setting=setting("max_text_chars")
        )
    try:
        ids = text.tokenize(words)
    except UnknownToken as err:
        raise Unusable("unknown_token", field="text", token=err.token, position=err.position) from None
    if len(ids) == 0:
        raise Unusable("text_empty", field="text")
    return ids


def _check_inputs(x: np.ndarray, width: int) -> None:
    limit = get_settings().max_steps
    if x.ndim != 2 or x.shape[1] != width:
        raise Unusable("wrong_width", field="x", inputs=width)
    if x.shape[0] > limit:
        raise Unusable("too_many_steps", field="x", steps=x.shape[0], limit=limit)


def _vector(values: list[float] | None) -> np.ndarray | None:
    return None if values is None else np.asarray(values, dtype=np.float64)
