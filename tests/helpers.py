"""Small shared helpers for tests."""

import os

import pytest


def require_torch() -> None:
    """Import torch or skip; under CI=true a missing torch fails instead (it is a CI dependency)."""
    try:
        import torch  # noqa: F401
    except ImportError:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("torch==2.13.0 is a CI test dependency but is not installed")
        pytest.skip("torch not installed; the golden-fixture test still covers the comparison")


def set_limits(monkeypatch: pytest.MonkeyPatch, **values: object) -> None:
    """Override settings for one test through LSTM_CONVEYOR_* and drop the cached Settings.

    Modules that use this also clear the cache after each test (an autouse fixture), once
    monkeypatch has restored the environment."""
    from app.config import get_settings

    for name, value in values.items():
        monkeypatch.setenv(f"LSTM_CONVEYOR_{name.upper()}", str(value))
    get_settings.cache_clear()
