"""Problem details (RFC 9457): every error of the API is ``application/problem+json``
with a type, a title, the status and, when there is more to say, a detail in words.
Never a VOS address: VOS failures are put in words by ``switch.vos.describe_error``."""

from __future__ import annotations

import json

from django.http import HttpResponse

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://vosportal.invalid/problems/"


class ApiProblem(Exception):
    """An answer that is a problem: raised anywhere in the API, rendered by
    ``problem_response``."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str = "",
        *,
        headers: dict | None = None,
        **extra,
    ):
        super().__init__(detail or title)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_body(problem: ApiProblem, instance: str = "") -> dict:
    body = {
        "type": TYPE_BASE + problem.code,
        "title": problem.title,
        "status": problem.status,
        "code": problem.code,
    }
    if problem.detail:
        body["detail"] = problem.detail
    if instance:
        body["instance"] = instance
    body.update(problem.extra)
    return body


def problem_response(request, problem: ApiProblem) -> HttpResponse:
    response = HttpResponse(
        json.dumps(problem_body(problem, request.path), ensure_ascii=False),
        status=problem.status,
        content_type=PROBLEM_JSON,
    )
    for name, value in problem.headers.items():
        response[name] = value
    return response


def unauthorized(detail: str, code: str = "unauthorized") -> ApiProblem:
    return ApiProblem(
        401,
        code,
        "Unauthorized",
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="vosportal"'},
    )


def forbidden(detail: str, code: str = "forbidden") -> ApiProblem:
    return ApiProblem(403, code, "Forbidden", detail)


def not_found(detail: str = "No such object here.") -> ApiProblem:
    return ApiProblem(404, "not_found", "Not found", detail)
