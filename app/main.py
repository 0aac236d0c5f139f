"""The app factory: routers and static files, nothing else."""

import secrets

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from . import __version__
from .assets import STATIC
from .file_errors import FileProblem
from .training import Slots
from .web import api, files, opener, pages, stream
from .web.body_limit import BodyLimit, json_body_limit, upload_limit
from .web.errors import document_problem_codes, request_validation_handler
from .web.security import add_security_headers


def create_app() -> FastAPI:
    app = FastAPI(
        title="LSTM Conveyor",
        summary="Watch an LSTM's cell state ride the conveyor belt, step by step.",
        version=__version__,
        docs_url=None,  # app/web/pages.py serves /docs without a CDN
        redoc_url=None,
    )
    app.state.active_sessions = 0  # counted by app/web/stream.py against settings.max_sessions
    # Trainings running at once in this process (app/training.py), and a name for the process: with
    # `--workers N` each worker builds its own app, and a training's status says which one runs it.
    app.state.training_slots = Slots()
    app.state.worker = secrets.token_hex(4)
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(files.router)
    app.include_router(opener.router)
    app.include_router(stream.router)
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    document_problem_codes(app)
    app.add_exception_handler(FileProblem, files.refusal)
    app.add_middleware(BodyLimit, paths=files.UPLOADS, refusal=upload_limit)
    app.add_middleware(BodyLimit, paths=(*api.JSON_BODIES, *files.JSON_BODIES), refusal=json_body_limit)
    app.middleware("http")(add_security_headers)
    # Static JS/CSS and large JSON replies, compressed when the client accepts it (the plotly
    # bundle arrives already compressed and is left alone).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/vendor/swagger", StaticFiles(directory=pages.SWAGGER_UI), name="swagger")
    return app
