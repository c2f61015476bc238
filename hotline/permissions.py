"""Who may do what with a hotline ticket."""

from __future__ import annotations

from center.permissions import handler_may_act


def is_dispatcher(user) -> bool:
    """Dispatchers are the information services department (admins belong to every department)."""
    return bool(user and user.is_authenticated and user.in_department("info"))


def is_hotline_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_center_staff)


def may_view(user, ticket) -> bool:
    """Center staff see every ticket; a handler only tickets assigned to their unit or below."""
    if is_hotline_staff(user):
        return True
    return handler_may_act(user, ticket.assigned_unit)


def may_handle(user, ticket) -> bool:
    """Sign for, reply, answer, return, ask for more time: the assigned unit's handlers (and
    the handlers of the units above it, who may act for their communities)."""
    return handler_may_act(user, ticket.assigned_unit)


def sees_full_phone(user, ticket) -> bool:
    """Phones are masked for everyone but the dispatchers and the ticket's assigned handler."""
    if is_dispatcher(user):
        return True
    return bool(
        user and user.is_authenticated and ticket.assigned_handler_id == user.pk and may_handle(user, ticket)
    )
