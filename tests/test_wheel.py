"""The built wheel installed like any Python app: into a fresh virtual environment outside the
checkout, beside another project that ships its own top-level `app` package.

The wheel is built from a copy of the files a source distribution holds (so nothing left over in the
checkout, such as a stale build/, can slip in), installed with its dependencies into a new venv, and
its `lstm-conveyor` command is started from a folder that holds nothing of the checkout. A real
browser then loads the page it serves and reads the belt's numbers, which must equal the engine's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.engine.lstm import run
from app.scenarios import get_scenario
from tests.conftest import free_port, watch_for_problems
from tests.test_page import PAINTED_JS, assert_belt_matches, open_page

ROOT = Path(__file__).resolve().parents[1]
# What `pip wheel .` reads: the project's metadata and the three source trees.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "app", "static", "templates")
DUMMY_PYPROJECT = """
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "someone-elses-app"
version = "1.0"

[tool.setuptools]
packages = ["app"]
"""
PIP_ENV = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONPATH": ""}


def _pip_wheel(project: Path, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(project)],
        check=True,
        timeout=300,
        env=PIP_ENV,
    )
    [built] = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    return _pip_wheel(source, tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the wheel (and its dependencies), then another project's `app` package."""
    dummy = tmp_path_factory.mktemp("someone-elses-app")
    (dummy / "pyproject.toml").write_text(DUMMY_PYPROJECT)
    (dummy / "app").mkdir()
    (dummy / "app" / "__init__.py").write_text('WHOSE = "someone else"\n')
    dummy_wheel = _pip_wheel(dummy, tmp_path_factory.mktemp("dummy-wheel"))

    env = tmp_path_factory.mktemp("installed") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, timeout=120)
    for package in (wheel, dummy_wheel):
        subprocess.run(
            [str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", str(package)],
            check=True,
            timeout=600,
            env=PIP_ENV,
        )
    return env


def test_the_wheel_holds_the_page_and_locales_under_its_own_package_name(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"lstm_conveyor/{path.relative_to(ROOT).as_posix()}"
        for path in (ROOT / "static").rglob("*")
        if path.is_file()
    }
    expected |= {f"lstm_conveyor/templates/{path.name}" for path in (ROOT / "templates").glob("*.html")}
    expected |= {f"lstm_conveyor/locales/{path.name}" for path in (ROOT / "app" / "locales").glob("*.json")}
    expected |= {f"lstm_conveyor/data/{path.name}" for path in (ROOT / "app" / "data").iterdir()}
    expected |= {"lstm_conveyor/data/python-code.npz", "lstm_conveyor/__main__.py"}
    assert expected - names == set()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"lstm_conveyor"}  # no top-level `app` to collide with anyone's


BOTH_IMPORT = """
import importlib.metadata as metadata, json
import app
from lstm_conveyor import __version__
from lstm_conveyor.i18n import catalogue
from lstm_conveyor.main import create_app
create_app()
files = {name: {str(f) for f in metadata.files(name)} for name in ("lstm-conveyor", "someone-elses-app")}
print(json.dumps({
    "whose": app.WHOSE,
    "version": __version__,
    "metadata_version": metadata.version("lstm-conveyor"),
    "ko": catalogue("ko")["scenarios"]["hold-and-release"]["title"],
    "shared_files": sorted(files["lstm-conveyor"] & files["someone-elses-app"]),
}))
"""


def test_it_installs_beside_another_projects_app_and_both_import(venv: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", BOTH_IMPORT],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,  # nothing of the checkout is importable from here
        env=PIP_ENV,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    assert found["whose"] == "someone else"
    assert found["version"] == found["metadata_version"]  # one version, read from app/__init__.py
    assert found["ko"] == "붙잡기와 놓기"
    assert found["shared_files"] == []


def test_python_dash_m_runs_the_installed_package_from_any_folder(venv: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "lstm_conveyor", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=PIP_ENV,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("usage: lstm-conveyor") and "--port" in done.stdout


@pytest.fixture(scope="module")
def installed_url(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The installed `lstm-conveyor` command, started from an empty folder."""
    port = free_port()
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    log = elsewhere / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(venv / "bin" / "lstm-conveyor"), "--port", str(port)],
            cwd=elsewhere,
            env=PIP_ENV,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the installed app did not start:\n" + log.read_text()) from None
            time.sleep(0.1)


@pytest.mark.browser
def test_the_installed_command_serves_the_page_and_draws_the_engines_belt(
    browser: Any, installed_url: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    page = context.new_page()
    problems = watch_for_problems(page)
    try:
        open_page(page, installed_url)
        scenario = get_scenario("hold-and-release")
        page.wait_for_selector(f"body[data-step='{scenario.open_step}']")
        trace = run(scenario.weights, scenario.x, scenario.h0, scenario.c0)
        assert_belt_matches(page, trace, scenario.open_step, list(range(scenario.weights.hidden_size)))
        painted = page.evaluate(PAINTED_JS)
        assert painted["painted"] > 0.02 * painted["pixels"], painted
    finally:
        context.close()
    assert not problems, "the installed page reported problems:\n" + "\n".join(problems)
