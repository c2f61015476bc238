"""Turning a service's refusal into what a page shows.

Services raise `center.errors.DomainError` (or Django's ValidationError); views catch it and
call one of these. The refused-page policy (who gets 403, who gets 404) is in DEVELOPERS.md:
no role for the page -> `PermissionDenied` (403); an object outside the user's reach ->
`get_object_or_404` on a queryset already scoped to the user (404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from center.errors import DomainError


def error_messages(exc: Exception) -> list[str]:
    """The user-readable messages of a DomainError or ValidationError."""
    if isinstance(exc, DomainError):
        return [str(exc.message)]
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc)]


def domain_error_message(request, exc: Exception) -> None:
    """Show the error's message(s) at the top of the next page (django.contrib.messages)."""
    for text in error_messages(exc):
        messages.error(request, text)


def add_domain_error(form, exc: Exception, field: str | None = None) -> None:
    """Attach the error to `form`: to `field` (or the field named in ``exc.details["field"]``)
    when the form has it, else as a non-field error."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = name if name in form.fields else None
            for text in errors:
                form.add_error(target, text)
        return
    if field is None and isinstance(exc, DomainError):
        field = exc.details.get("field")
    target = field if field and field in form.fields and field != NON_FIELD_ERRORS else None
    for text in error_messages(exc):
        form.add_error(target, text)
