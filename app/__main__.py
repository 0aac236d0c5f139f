"""python -m app [--host H] [--port P]: serve the app with uvicorn."""

import argparse

import uvicorn

from app.config import get_settings
from app.memory import tune_allocator


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="lstm-conveyor", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args(argv)
    tune_allocator()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        ws_per_message_deflate=settings.ws_compression,
    )


if __name__ == "__main__":
    main()
