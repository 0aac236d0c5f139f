"""Turn pydantic validation errors into one short, field-naming message (no internals)."""

import re
from dataclasses import dataclass
from typing import Any, get_args

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from app.messages import ClientMessage, Generator

_TAG_ERRORS = {"union_tag_invalid", "union_tag_not_found"}


def _tags(union: Any, field: str) -> set[str]:
    members = get_args(get_args(union)[0])
    return {get_args(member.model_fields[field].annotation)[0] for member in members}


# A discriminated union puts the tag value into an error's location ("set_input", "t"):
# these are dropped so the path names only real fields.
_TAG_VALUES = _tags(ClientMessage, "type") | _tags(Generator, "kind")


@dataclass(frozen=True)
class Problem:
    field: str  # path of the offending field, e.g. "x[3][1]"
    code: str  # pydantic's error type, e.g. "finite_number"
    params: dict[str, Any]  # its context (limits, expected values), as JSON-safe values
    text: str  # pydantic's English message


def first_problem(err: ValidationError) -> Problem:
    """The first error of a validation failure, e.g. Problem("x[3][1]", "finite_number", …)."""
    problem = err.errors(include_url=False, include_input=False)[0]
    loc = [part for part in problem["loc"] if part not in _TAG_VALUES and not _is_union_label(part)]
    if problem["type"] in _TAG_ERRORS:
        loc.append(str(problem.get("ctx", {}).get("discriminator", "type")).strip("'"))
    params = {key: _json_safe(value) for key, value in problem.get("ctx", {}).items() if key != "error"}
    text = problem["msg"].removeprefix("Value error, ")
    return Problem(_path(loc), problem["type"], params, text)


def _json_safe(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


_UNION_LABEL = re.compile(r"^(int|float|str|bool|none|constrained-\w+|[\w-]+\[.*\])$")


def _is_union_label(part: int | str) -> bool:
    """Labels pydantic adds for the branch of a union, e.g. "literal['sum']" or "int"."""
    return isinstance(part, str) and _UNION_LABEL.match(part) is not None


def _path(loc: list[int | str]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "message"


async def request_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    """422 with each problem's location and reason, without echoing the (possibly huge) input."""
    assert isinstance(exc, RequestValidationError)
    detail = [
        {"loc": list(e["loc"]), "msg": str(e["msg"]).removeprefix("Value error, "), "type": e["type"]}
        for e in exc.errors()
    ]
    return JSONResponse({"detail": detail}, status_code=422)
