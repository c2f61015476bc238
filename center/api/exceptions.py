"""Every API error has one body shape: {"error": {"code", "message", "details"}}, where
`details` is always an object (component `Error` of the schema, see center.api.schema)."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from center.errors import DomainError

logger = logging.getLogger(__name__)


def portal_exception_handler(exc, context):
    if isinstance(exc, DataError):
        # A value the validators let through and the database refuses (e.g. a time zone offset
        # beyond PostgreSQL's range in a filter): the client's input, not a server error.
        logger.warning("API input refused by the database: %s", exc)
        set_rollback()
        message = str(exceptions.ValidationError.default_detail)
        return Response({"error": {"code": "invalid", "message": message, "details": {}}}, status=400)
    if isinstance(exc, DomainError):
        return Response(
            {"error": {"code": exc.code, "message": str(exc.message), "details": dict(exc.details)}},
            status=exc.status,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        code, message, details = "invalid", str(exceptions.ValidationError.default_detail), detail
    else:
        code = getattr(getattr(exc, "detail", None), "code", None) or getattr(exc, "default_code", "error")
        message = str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail)
        details = {}
    if not isinstance(details, dict):  # a list of messages not tied to one field
        details = {"non_field_errors": details}
    response.data = {"error": {"code": code, "message": message, "details": details}}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and getattr(exc, "wait", None):
        response.data["error"]["details"] = {"retry_after_seconds": int(exc.wait)}
    return response


@csrf_exempt  # a write to no operation is answered 404 like a read, not refused for CSRF
def api_not_found(request, *args, **kwargs):
    """Any URL under /api/v1/ that names no operation: the API's 404 body, not the HTML page."""
    message = str(exceptions.NotFound.default_detail)
    return JsonResponse({"error": {"code": "not_found", "message": message, "details": {}}}, status=404)
