"""Turn pydantic validation errors into short, field-naming problems (no internals): a code and
params a page can say in its own language (app/locales), and pydantic's English text."""

import ast
import re
from dataclasses import dataclass
from typing import Any, get_args

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ..i18n import ProblemError
from ..messages import ClientMessage, Generator

_TAG_ERRORS = {"union_tag_invalid", "union_tag_not_found"}
# Context that pydantic writes as English-joined text ("'a', 'b' or 'c'"), sent as a list instead.
_ALTERNATIVES = {"literal_error": "expected", "union_tag_invalid": "expected_tags"}


def _tags(union: Any, field: str) -> set[str]:
    members = get_args(get_args(union)[0])
    return {get_args(member.model_fields[field].annotation)[0] for member in members}


# A discriminated union puts the tag value into an error's location ("set_input", "t"):
# these are dropped so the path names only real fields. A message's tag comes first only (the
# `open` message's own field is called open too).
_MESSAGE_TAGS = _tags(ClientMessage, "type")
_TAG_VALUES = _tags(Generator, "kind")


@dataclass(frozen=True)
class Problem:
    field: str  # path of the offending field, e.g. "x[3][1]"
    code: str  # pydantic's error type, e.g. "finite_number", or our code (app/locales)
    params: dict[str, Any]  # its context (limits, expected values), as JSON-safe values
    text: str  # pydantic's English message


def first_problem(err: ValidationError) -> Problem:
    """The first error of a validation failure, e.g. Problem("x[3][1]", "finite_number", …)."""
    problem = err.errors(include_url=False, include_input=False)[0]
    raw = list(problem["loc"])
    if raw and raw[0] in _MESSAGE_TAGS:
        raw = raw[1:]
    loc = [part for part in raw if part not in _TAG_VALUES and not _is_union_label(part)]
    if problem["type"] in _TAG_ERRORS:
        loc.append(str(problem.get("ctx", {}).get("discriminator", "type")).strip("'"))
    code, params = code_and_params(problem)
    text = problem["msg"].removeprefix("Value error, ")
    return Problem(_path(loc), code, params, text)


def code_and_params(error: Any) -> tuple[str, dict[str, Any]]:
    """An error's code and JSON-safe params: pydantic's type and context, with alternatives as a
    list (["lstm", "rnn"], for each language to join), or, for a ProblemError raised in a
    validator, its own code and params."""
    ctx = error.get("ctx") or {}
    raised = ctx.get("error")
    if isinstance(raised, ProblemError):
        return raised.code, {key: _json_safe(value) for key, value in raised.params.items()}
    params = {key: _json_safe(value) for key, value in ctx.items() if key != "error"}
    listed = _ALTERNATIVES.get(error["type"])
    if listed and isinstance(params.get(listed), str):
        params[listed] = _alternatives(params[listed])
    return error["type"], params


def _alternatives(text: str) -> list[Any] | str:
    """pydantic's "'a', 'b' or 'c'" (reprs, the last two joined by "or") as ["a", "b", "c"]; the
    text as it is when it does not read back."""
    head, _, last = text.rpartition(" or ")
    try:
        values = ast.literal_eval(f"[{head}, {last}]" if head else f"[{last}]")
    except (ValueError, SyntaxError):
        return text
    return [value if isinstance(value, str | int | float | bool) else str(value) for value in values]


def _json_safe(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
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
    """422 with each problem's location, English reason and pydantic type, and its `code` and
    `params` (as the socket's errors carry them), without echoing the (possibly huge) input."""
    assert isinstance(exc, RequestValidationError)
    detail = []
    for e in exc.errors():
        code, params = code_and_params(e)
        msg = str(e["msg"]).removeprefix("Value error, ")
        detail.append({"loc": list(e["loc"]), "msg": msg, "type": e["type"], "code": code, "params": params})
    return JSONResponse({"detail": detail}, status_code=422)


_CODE = {"type": "string", "title": "Code", "description": "the problem's code in app/locales/en.json"}
_PARAMS = {"type": "object", "title": "Params", "description": "the values its text takes"}


def document_problem_codes(app: FastAPI) -> None:
    """Make the OpenAPI document say what request_validation_handler sends: each problem with its
    `code` and `params` (and no `input` or `ctx`); and, for a file upload, that a 422 is either a
    refused file or a malformed form (no `file` field)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        error = schema.get("components", {}).get("schemas", {}).get("ValidationError")
        if error is not None:
            for unsent in ("input", "ctx"):
                error["properties"].pop(unsent, None)
            error["properties"].update(code=_CODE, params=_PARAMS)
            error["required"] = [*error["required"], "code", "params"]
        refusal = {"$ref": "#/components/schemas/Refusal"}
        for path in schema["paths"].values():
            for operation in path.values():
                content = operation.get("responses", {}).get("422", {}).get("content", {})
                body = content.get("application/json", {})
                if body.get("schema") == refusal and "requestBody" in operation:
                    body["schema"] = {
                        "anyOf": [refusal, {"$ref": "#/components/schemas/HTTPValidationError"}]
                    }
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
