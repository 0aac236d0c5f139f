"""REST endpoints for scripts and notebooks."""

import numpy as np
from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from app.encoding import dumps
from app.engine.lstm import LSTMWeights, run
from app.scenarios import SCENARIOS, get_scenario
from app.schemas import ScenarioDetail, ScenarioSummary, TraceRequest, TraceResponse

router = APIRouter(prefix="/api")


@router.post("/trace", response_model=TraceResponse, summary="Run one LSTM layer and trace it")
def trace(request: TraceRequest) -> Response:
    """Every per-step quantity of one nn.LSTM layer (PyTorch layout, gates i, f, g, o)."""
    weights = LSTMWeights(**request.weights.model_dump())
    h0, c0 = (None if v is None else np.asarray(v) for v in (request.h0, request.c0))
    result = run(weights, np.asarray(request.x), h0, c0)
    return Response(dumps(result.as_dict()), media_type="application/json")


@router.get("/scenarios", response_model=list[ScenarioSummary], summary="List the named scenarios")
def list_scenarios() -> list[dict[str, str]]:
    return [factory().summary() for factory in SCENARIOS.values()]


@router.get("/scenarios/{name}", response_model=ScenarioDetail, summary="One scenario, in /api/trace form")
def scenario(name: str) -> dict[str, object]:
    try:
        return get_scenario(name).as_dict()
    except KeyError as err:
        raise HTTPException(status_code=404, detail=err.args[0]) from None


@router.get("/health", summary="Liveness probe")
def health() -> dict[str, str]:
    return {"status": "ok"}
