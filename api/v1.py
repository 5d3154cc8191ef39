"""The API, version 1 (``/api/v1/``): django-ninja, typed schemas, OpenAPI 3.1 at
``/api/v1/openapi.json``. Every route is authenticated by an API key (``api.keys``)
and answers through the key's Scope, exactly like the pages; every error is a problem
details answer (``api.problems``)."""

from __future__ import annotations

import logging

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from accounts import audit
from accounts.scope import OutOfScope
from api import bulk, calls, customers, money
from api.keys import authenticate
from api.problems import PROBLEM_JSON, ApiProblem, problem_response, unauthorized
from billing.money.services import MoneyRefused
from customers.services import CustomerRefused, TenantNotSaved
from switch import vos
from vos3000.errors import VosApiError, VosError, VosValidationError

log = logging.getLogger(__name__)


class KeyAuth(HttpBearer):
    """``Authorization: Bearer vosp_…``: the key's checks raise problems (401/403/429)."""

    def authenticate(self, request, token):
        return authenticate(request, token)


class PortalApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Error answers are ``application/problem+json`` (RFC 9457), as sent."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content") or {}
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {PROBLEM_JSON: content["application/json"]}
        return schema


api = PortalApi(
    title="VOS Portal API",
    version="1",
    description=(
        "A tenant's door to the portal: every request acts with its key's role, inside its "
        "tenant's subtree. Errors are RFC 9457 problem details."
    ),
    auth=KeyAuth(),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
api.add_router("/", customers.router)
api.add_router("/", money.router)
api.add_router("/", calls.router)
api.add_router("/", bulk.router)


@api.exception_handler(ApiProblem)
def _problem(request, exc):
    return problem_response(request, exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(request, unauthorized("Send an API key: Authorization: Bearer …"))


# The first parts of a location name where a field came from (the body, the query, a
# parameter's own name): the field's name is what follows.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file", "filters"}


def _field_name(loc) -> str:
    parts = [str(part) for part in loc]
    while len(parts) > 1 and parts[0] in _SOURCES:
        parts = parts[1:]
    return ".".join(parts) or "request"


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    errors = [
        {"field": _field_name(error.get("loc", ())), "message": str(error.get("msg", "invalid"))}
        for error in exc.errors
    ]
    return problem_response(
        request,
        ApiProblem(422, "invalid", "Invalid request", "Some fields are not valid.", errors=errors),
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    scope = getattr(request, "scope", None)
    if isinstance(exc, OutOfScope) and getattr(request, "api_key", None) is not None:
        audit.record(
            "authz.denied",
            scope=scope,
            tenant=scope.user.tenant,
            payload={"path": request.path[:500], "method": request.method},
            result="denied",
            error=str(exc),
        )
    return problem_response(request, ApiProblem(404, "not_found", "Not found"))


@api.exception_handler(VosValidationError)
def _vos_invalid(request, exc):
    return problem_response(
        request,
        ApiProblem(
            422,
            "invalid",
            "Invalid request",
            "Some fields are not valid.",
            errors=[{"field": exc.field, "message": exc.message}],
        ),
    )


@api.exception_handler(VosApiError)
def _vos_refused(request, exc):
    return problem_response(
        request,
        ApiProblem(409, "switch_refused", "The switch refused", vos.describe_error(exc)),
    )


@api.exception_handler(VosError)
def _vos_failed(request, exc):
    write = request.method not in ("GET", "HEAD")
    return problem_response(
        request,
        ApiProblem(502, "switch_error", "The switch failed", vos.describe_error(exc, write=write)),
    )


@api.exception_handler(MoneyRefused)
@api.exception_handler(CustomerRefused)
def _refused(request, exc):
    return problem_response(request, ApiProblem(409, "refused", "Refused", str(exc)))


@api.exception_handler(TenantNotSaved)
def _not_saved(request, exc):
    return problem_response(
        request,
        ApiProblem(
            502,
            "not_recorded",
            "Made in the switch, not recorded here yet",
            "The account was created in the switch; the portal will link it at its next sync.",
        ),
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem_response(request, ApiProblem(exc.status_code, "error", str(exc)))


@api.exception_handler(Exception)
def _server_error(request, exc):
    log.exception("API error on %s %s", request.method, request.path)
    return problem_response(
        request,
        ApiProblem(500, "server_error", "Server error", "Something went wrong on our side."),
    )
