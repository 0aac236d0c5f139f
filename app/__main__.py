"""lstm-conveyor [--host H] [--port P] (or python -m lstm_conveyor): serve the app with uvicorn."""

import argparse

import uvicorn

from .config import get_settings
from .main import create_app
from .memory import tune_allocator


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="lstm-conveyor", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args(argv)
    tune_allocator()
    uvicorn.run(
        create_app,
        factory=True,
        host=args.host,
        port=args.port,
        ws_per_message_deflate=settings.ws_compression,
    )


if __name__ == "__main__":
    main()
