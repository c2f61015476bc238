"""Who may act where in the three-level network."""

from __future__ import annotations

from center.models import NetworkUnit, User


def handler_may_act(user: User, unit: NetworkUnit | None) -> bool:
    """May this handler act on `unit`? Own unit and the units below it, nothing else.

    Center staff are not handlers: ask the app's own staff rule for them.
    """
    if unit is None or not getattr(user, "is_authenticated", False) or not user.is_handler:
        return False
    own = user.network_unit
    return unit.path.startswith(own.path)


def units_visible_to(user: User):
    """Queryset of the units a handler may act on (own unit and below)."""
    if not getattr(user, "is_authenticated", False) or not user.is_handler:
        return NetworkUnit.objects.none()
    return NetworkUnit.objects.filter(path__startswith=user.network_unit.path)
