"""The page, and plotly.js served from the installed plotly package (no CDN)."""

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from .. import assets
from .bundle import plotly_response
from .modules import module_urls

TEMPLATES = Jinja2Templates(directory=assets.TEMPLATES)
SWAGGER_UI = Path(fastapi_offline.__file__).parent / "static"  # Swagger UI 5 (OpenAPI 3.1)

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, "index.html", {"modules": module_urls()})


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI served from this app (FastAPI's default page loads it from a CDN)."""
    return TEMPLATES.TemplateResponse(request, "docs.html")


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js(request: Request) -> Response:
    return plotly_response(request)
