"""The built wheel serves the whole page: static/, templates/ and the locales travel inside it.

The wheel is built from this checkout, unpacked into a directory of its own, and the app is
imported from there (not from the checkout) in a fresh interpreter that asks for the page, every
module the page loads, the stylesheet and a Korean scenario list.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SERVE_FROM_WHEEL = """
import sys
sys.path.insert(0, sys.argv[1])
import app
assert app.__file__.startswith(sys.argv[1]), app.__file__
from fastapi.testclient import TestClient
from app.main import create_app
from app.web.modules import module_urls
client = TestClient(create_app())
page = client.get("/")
assert page.status_code == 200 and "/static/js/main.js" in page.text, page.status_code
for url in [*module_urls(), "/static/css/app.css", "/static/favicon.svg", "/docs"]:
    assert client.get(url).status_code == 200, url
assert client.get("/api/scenarios", params={"lang": "ko"}).json()[0]["title"] == "붙잡기와 놓기"
print(len(module_urls()))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        timeout=300,
    )
    [built] = out.glob("lstm_conveyor-*.whl")
    return built


def test_the_wheel_holds_every_page_file_and_locale(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"app/{path.relative_to(ROOT).as_posix()}" for path in (ROOT / "static").rglob("*") if path.is_file()
    }
    expected |= {f"app/templates/{path.name}" for path in (ROOT / "templates").glob("*.html")}
    expected |= {f"app/locales/{path.name}" for path in (ROOT / "app" / "locales").glob("*.json")}
    assert expected - names == set()
    assert "app/data/trained-memory.npz" in names


def test_the_app_installed_from_the_wheel_serves_the_page(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    done = subprocess.run(
        [sys.executable, "-c", SERVE_FROM_WHEEL, str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # not the checkout: nothing of it is importable from here
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip()) > 20  # the page's modules, each served
