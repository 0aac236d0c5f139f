"""The app factory: routers and static files, nothing else."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles

from app.web import api, pages, stream
from app.web.errors import request_validation_handler

STATIC = Path(__file__).resolve().parents[1] / "static"


def create_app() -> FastAPI:
    app = FastAPI(
        title="LSTM Conveyor",
        summary="Watch an LSTM's cell state ride the conveyor belt, step by step.",
        version="0.1.0",
    )
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(stream.router)
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
