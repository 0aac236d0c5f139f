"""lstm-conveyor [--host H] [--port P] [--workers N] (or python -m lstm_conveyor): serve the app with uvicorn.

Every session lives in its WebSocket connection (and its training in a thread of that process), so
N worker processes serve N times as many trainings side by side, each connection staying with the
worker that accepted it.
"""

import argparse

import uvicorn
from fastapi import FastAPI

from .config import get_settings
from .main import create_app
from .memory import tune_allocator


def tuned_app() -> FastAPI:
    """The app, in a process whose allocator is tuned for traces (each worker calls this)."""
    tune_allocator()
    return create_app()


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="lstm-conveyor", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--workers", type=int, default=1, help="server processes (uvicorn's --workers)")
    args = parser.parse_args(argv)
    uvicorn.run(
        # By name, so that each worker process imports and builds its own app.
        f"{__package__}.__main__:tuned_app",
        factory=True,
        workers=args.workers,
        host=args.host,
        port=args.port,
        ws_per_message_deflate=settings.ws_compression,
        # uvicorn's own cap (16 MiB by default) on what a client sends, brought down to the app's:
        # a bigger message is cut off (1009) before it is buffered whole.
        ws_max_size=settings.max_message_bytes,
    )


if __name__ == "__main__":
    main()
