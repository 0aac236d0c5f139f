"""Schemathesis: requests generated from the app's own OpenAPI schema never cause a server error."""

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from app.main import create_app

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_the_schema_allows_causes_a_5xx(case: schemathesis.Case[Any]) -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])
