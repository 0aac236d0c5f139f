"""What can be wrong with an uploaded file, as exceptions naming a problem fit for the user.

Each carries a stable `code` and its `params` (the problems of app/locales/*.json), so a page can
say it in its own language; str(error) is the English text. The web side maps each kind to a
status code; nothing here knows about HTTP.
"""

from __future__ import annotations

from typing import Any

from .i18n import problem_text


class FileProblem(ValueError):
    """The file was refused; `code` and `params` say precisely why, str(error) in English."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = {name: value for name, value in params.items() if value is not None}
        super().__init__(problem_text(code, self.params))  # an unknown code fails here, at once

    def answer(self) -> dict[str, Any]:
        """The refusal as the API sends it: {"detail": English text, "code", "params"}."""
        return {"detail": str(self), "code": self.code, "params": self.params}


class Malformed(FileProblem):
    """Not a readable file of the expected format: truncated, damaged, or another format."""


class TooLarge(FileProblem):
    """Over a configured limit (bytes, tensors, H, D, T, …); the message names the setting."""


class Unusable(FileProblem):
    """Well-formed, but its contents cannot be used: a missing tensor, a wrong shape or dtype,
    a non-finite or out-of-range value, an unknown layer."""


def setting(name: str) -> str:
    """How a limit is named to the user: the environment variable that changes it."""
    return f"LSTM_CONVEYOR_{name.upper()}"
