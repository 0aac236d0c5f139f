"""Where the page's files are: static/ and templates/ at the top of a source checkout (an editable
install reads them there), inside the package as lstm_conveyor/static and lstm_conveyor/templates
in a built wheel (pyproject.toml maps them there)."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """The directory `name` (static or templates): the wheel's copy, else the checkout's."""
    packaged = _PACKAGE / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


STATIC = asset_dir("static")
TEMPLATES = asset_dir("templates")
