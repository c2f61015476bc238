"""One state-transition function for every workflow (after django-oscar's `pipeline`).

An app declares its pipeline as data, e.g. ``{"draft": {"submitted"}, ...}``, and calls
`transition(obj, to=..., pipeline=..., history=...)` inside its service. The function locks
the row, refuses transitions the table does not allow, ignores no-ops, and writes the
app's history row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db import models, transaction
from django.utils.translation import gettext as _

from center.errors import TransitionError


def transition(
    obj: models.Model,
    *,
    to: str,
    pipeline: Mapping[str, set[str] | frozenset[str]],
    field: str = "status",
    history: Callable[[models.Model, str, str], None] | None = None,
    extra_updates: Mapping[str, object] | None = None,
) -> models.Model:
    """Move `obj` to status `to`; returns the locked, updated instance.

    Raises TransitionError when `to` is not allowed from the current status.
    `history(locked_obj, old, new)` writes the workflow's history row.
    """
    with transaction.atomic():
        locked = type(obj).objects.select_for_update().get(pk=obj.pk)
        old = getattr(locked, field)
        if old == to:
            return locked
        if to not in pipeline.get(old, ()):
            label = dict(type(obj)._meta.get_field(field).choices or [])
            raise TransitionError(
                _("Cannot change status from “%(old)s” to “%(new)s”.")
                % {"old": label.get(old, old), "new": label.get(to, to)},
                details={"from": old, "to": to},
            )
        setattr(locked, field, to)
        update_fields = [field]
        for name, value in (extra_updates or {}).items():
            setattr(locked, name, value)
            update_fields.append(name)
        locked.save(update_fields=update_fields)
        if history is not None:
            history(locked, old, to)
        # keep the caller's instance in step
        for name in update_fields:
            setattr(obj, name, getattr(locked, name))
        return locked
