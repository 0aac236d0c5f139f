"""REST endpoints for scripts and notebooks."""

from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from .. import numpy_files
from ..coach import menu
from ..computation import standalone_trace, text_parts
from ..encoding import check_finite, dumps
from ..gru_scenarios import GRU_SCENARIOS, get_gru_scenario
from ..i18n import ProblemError
from ..scenarios import SCENARIOS, get_scenario
from ..schemas import (
    GRUScenarioDetail,
    GRUTraceResponse,
    LSTMTraceResponse,
    Refusal,
    RNNTraceResponse,
    ScenarioDetail,
    ScenarioSummary,
    TraceRequest,
)

router = APIRouter(prefix="/api")
Language = Literal["en", "ko"]  # app.i18n.LANGUAGES
Model = Literal["lstm", "gru"]
JSON_BODIES = ("/api/trace",)  # bounded by settings.max_request_bytes (app/web/body_limit.py)
BODY_TOO_LARGE: dict[str, Any] = {
    "model": Refusal,
    "description": "The body is over max_request_bytes (code request_too_large); it was not read.",
}


@router.post(
    "/trace",
    response_model=LSTMTraceResponse | GRUTraceResponse | RNNTraceResponse,
    response_model_exclude_none=True,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": 'with "format": "npz": trace.npz'},
        413: BODY_TOO_LARGE,
    },
    summary="Run one LSTM (or GRU, or plain RNN) layer and trace every step",
)
def trace(request: TraceRequest) -> Response:
    """Every per-step quantity of one nn.LSTM layer (PyTorch layout, gates i, f, g, o), of an nn.GRU
    with `"model": "gru"` (gates r, z, n), or of a tanh nn.RNN with `"model": "rnn"`; with
    `gradients`, also dL/dc_t (LSTM), dL/dh_t, dL/dx_t and the belt-only term (Π f, or Π z for the
    GRU) for L = Σ_k h_{T-1}[k] (target "sum") or h_{T-1}[k]. `quantities` keeps only the arrays
    named; `"format": "npz"` answers them as an .npz file instead of JSON."""
    out: dict[str, Any] = run_request(request)
    if request.text is not None:
        out |= text_parts(request.text.model(), request.text.ids(), out["h"])
    if request.quantities is not None:
        out = chosen(out, request.quantities)
    if request.format == "npz":
        headers = {"Content-Disposition": 'attachment; filename="trace.npz"'}
        return Response(npz_bytes(out), media_type="application/octet-stream", headers=headers)
    return Response(dumps(out), media_type="application/json")


def chosen(out: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """Only the arrays asked for, in the answer's order; a name it does not hold is refused (422)."""
    for name in names:
        if name not in out:
            problem = ProblemError("unknown_quantity", field="quantities", name=name, known=list(out))
            error = {"type": "value_error", "loc": ("body", "quantities"), "msg": str(problem)}
            raise RequestValidationError([error | {"ctx": {"error": problem}}])
    return {name: value for name, value in out.items() if name in names}


def npz_bytes(out: dict[str, Any]) -> bytes:
    """The answer as an .npz (np.savez, no pickle): the arrays as they are (float64), a text's
    tokens and top next tokens as unicode arrays (`tokens`, `top_tokens`, `top_p`)."""
    arrays = {name: value for name, value in out.items() if isinstance(value, np.ndarray)}
    check_finite(arrays)  # as dumps() does for JSON (before the unicode arrays join them)
    if "tokens" in out:
        arrays["tokens"] = np.array(out["tokens"], dtype=str)
    if "top" in out:
        arrays |= {"top_tokens": np.array(out["top"]["tokens"], dtype=str), "top_p": out["top"]["p"]}
    return numpy_files.npz_bytes(arrays)


def run_request(request: TraceRequest) -> dict[str, np.ndarray]:
    """The arrays a trace request asks for (also exported as CSV by app/web/files.py)."""
    target = None if request.gradients is None else request.gradients.target
    return standalone_trace(
        request.model,
        {name: np.asarray(value) for name, value in request.weights.model_dump().items()},
        request.inputs(),
        None if request.h0 is None else np.asarray(request.h0),
        None if request.c0 is None else np.asarray(request.c0),
        gradients=request.gradients is not None,
        target=None if target == "sum" else target,
        reset_after=request.reset_after is not False,
    )


@router.get("/scenarios", response_model=list[ScenarioSummary], summary="List the named scenarios")
def list_scenarios(lang: Language = "en", model: Model = "lstm") -> list[dict[str, object]]:
    """Every preset: its title, explanation and "try this" prompt in `lang` (en or ko), and the
    step a page opens it at; with `model=gru`, the presets that have a GRU version, as GRUs."""
    factories = GRU_SCENARIOS if model == "gru" else SCENARIOS
    return [factory().summary(lang) for factory in factories.values()]


@router.get(
    "/scenarios/{name}",
    response_model=ScenarioDetail | GRUScenarioDetail,
    summary="One scenario, in /api/trace form",
)
def scenario(name: str, lang: Language = "en", model: Model = "lstm") -> dict[str, object]:
    """The preset (its GRU version with `model=gru`: 404 for one that has none)."""
    try:
        return (get_gru_scenario(name) if model == "gru" else get_scenario(name)).as_dict(lang)
    except KeyError as err:
        raise HTTPException(status_code=404, detail=err.args[0]) from None


@router.get("/training", summary="What a session can train: tasks, settings, budgets")
def training() -> dict[str, Any]:
    """The tasks the WebSocket's `train` message takes, each of its settings with the default and
    the range it is checked against (JSON schema), the budgets of one training and how many run at
    once per server process (docs/protocol.md, "Training")."""
    return menu()


@router.get("/health", summary="Liveness probe")
def health() -> dict[str, str]:
    return {"status": "ok"}
