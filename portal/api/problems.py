"""Errors as RFC 7807 problem details (`application/problem+json`)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE = "https://dmn.example/problems/"


def _body(status_code: int, title: str, detail: str, extra: dict) -> dict:
    body = {"type": f"{PROBLEM_TYPE}{status_code}", "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return body


def problem(status_code: int, title: str, detail: str = "", **extra) -> Response:
    body = _body(status_code, title, detail, extra)
    return Response(body, status=status_code, content_type="application/problem+json")


def problem_response(status_code: int, title: str, detail: str = "", **extra) -> JsonResponse:
    """The same problem as a plain Django response, for code that answers before
    (or outside) a DRF view, such as a middleware."""
    body = _body(status_code, title, str(detail), extra)
    return JsonResponse(body, status=status_code, content_type="application/problem+json")


def _messages(data):
    if isinstance(data, dict):
        return {key: _messages(value) for key, value in data.items()}
    if isinstance(data, list):
        return [str(item) for item in data]
    return [str(data)]


def problem_exception_handler(exc, context):
    if isinstance(exc, ValidationError):  # from a service: a domain rule refused the request
        errors = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return problem(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "The request breaks a rule.",
            " ".join(exc.messages),
            errors=errors,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        title, detail, extra = "Invalid input.", "", {"errors": _messages(exc.detail)}
    else:
        title, detail, extra = str(exc.detail), "", {}
    result = problem(response.status_code, title, detail, **extra)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result
