"""Settings, read once from the environment (prefix LSTM_CONVEYOR_) and overridable in tests."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LSTM_CONVEYOR_")

    host: str = "127.0.0.1"
    port: int = 8000
    max_steps: int = 10_000
    max_hidden: int = 512
    max_inputs: int = 512
    # T·H bounds the size of one trace (17 quantities of T×H floats) a request may ask for.
    max_trace_cells: int = 1_000_000
    # Every weight, input and state value must lie in ±max_abs_value: it keeps all arithmetic
    # finite and rejects 1e308-style input with a clear message.
    max_abs_value: float = 1e3
    max_message_bytes: int = 4 * 1024 * 1024


@lru_cache
def get_settings() -> Settings:
    return Settings()
