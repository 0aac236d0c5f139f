"""What can be wrong with an uploaded file, as exceptions carrying a message fit for the user.

The web side maps each kind to a status code; nothing here knows about HTTP.
"""


class FileProblem(ValueError):
    """The file was refused; str(error) says precisely why."""


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
