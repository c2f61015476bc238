"""One state-transition function for every workflow (after django-oscar's `pipeline`).

An app declares its pipeline as data, e.g. ``{"draft": {"submitted"}, ...}``, and calls
`transition(obj, to=..., pipeline=..., by=..., history_model=...)` inside its service:

- the row is locked (``SELECT ... FOR UPDATE``) and every decision is taken on the LOCKED
  row, never on the caller's possibly stale copy;
- a transition the table does not allow raises `TransitionError` (409);
- a no-op (already in `to`) returns ``changed=False`` and writes nothing, so a double
  submit neither rewrites side data nor notifies twice: callers act only when ``changed``;
- the status is saved together with ``updated_at`` (when the model has one) and the extra
  updates; one history row is written (a `center.models.StatusHistory` subclass).

Templates show the buttons of `allowed_next(...)`, never substring tests on the status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from center.errors import TransitionError

Pipeline = Mapping[str, Iterable[str]]
ExtraUpdates = Mapping[str, Any] | Callable[[models.Model, str], Mapping[str, Any] | None]


@dataclass
class TransitionResult:
    """What `transition` did: `obj` is the locked, saved instance."""

    obj: Any
    changed: bool
    old: str
    new: str


def _actor(by):
    """The acting user to store (None for the system, or an anonymous visitor)."""
    if by is None or not getattr(by, "is_authenticated", False):
        return None
    return by


def _label(model: type[models.Model], field: str, value: str) -> str:
    choices = dict(model._meta.get_field(field).choices or [])
    return str(choices.get(value, value))


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def transition(
    obj: models.Model,
    *,
    to: str,
    pipeline: Pipeline,
    by,
    field: str = "status",
    reason: str = "",
    history_model: type[models.Model] | None = None,
    extra_updates: ExtraUpdates | None = None,
    history: Callable[[models.Model, str, str], None] | None = None,
) -> TransitionResult:
    """Move `obj` to status `to` and record who did it.

    `by`: the acting User, or None passed explicitly for the system (nightly jobs).
    `history_model`: a concrete `StatusHistory` subclass; one row (by, at, from, to, reason)
    is written per change. `history(locked, old, new)`: an extra callback for workflows
    that write more (timelines, notifications inside the transaction).
    `extra_updates`: fields saved with the status; either a mapping or a callable
    ``(locked, old) -> mapping`` evaluated on the locked row (use it for anything computed
    from the current state: deadlines, durations, on-time flags). The callable may raise
    `DomainError` to refuse.

    Raises TransitionError when the pipeline does not allow `to` from the current status.
    """
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)
        old = getattr(locked, field)
        if old == to:
            return TransitionResult(obj=locked, changed=False, old=old, new=to)
        if to not in pipeline.get(old, ()):
            raise TransitionError(
                _("Cannot change status from “%(old)s” to “%(new)s”.")
                % {"old": _label(model, field, old), "new": _label(model, field, to)},
                details={"from": old, "to": to},
            )
        updates = extra_updates(locked, old) if callable(extra_updates) else extra_updates
        setattr(locked, field, to)
        update_fields = [field]
        for name, value in (updates or {}).items():
            setattr(locked, name, value)
            if name not in update_fields:
                update_fields.append(name)
        if _has_field(model, "updated_at") and "updated_at" not in update_fields:
            locked.updated_at = timezone.now()
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        if history_model is not None:
            subject = getattr(history_model, "subject_field", "")
            if not subject:
                raise TypeError(f"{history_model.__name__} must set subject_field")
            history_model._default_manager.create(
                **{subject: locked},
                by=_actor(by),
                at=timezone.now(),
                from_status=old,
                to_status=to,
                reason=str(reason or ""),
            )
        if history is not None:
            history(locked, old, to)
    # keep the caller's instance in step
    for name in update_fields:
        setattr(obj, name, getattr(locked, name))
    return TransitionResult(obj=locked, changed=True, old=old, new=to)


def allowed_next(
    obj: models.Model,
    *,
    pipeline: Pipeline,
    user=None,
    field: str = "status",
    guards: Mapping[str, Callable[[models.Model, Any], bool]] | None = None,
) -> list[str]:
    """The statuses `user` may move `obj` to now, in the order of the field's choices.

    `guards`: {to_status: callable(obj, user) -> bool}; a status without a guard is
    allowed whenever the pipeline allows it.
    """
    current = getattr(obj, field)
    candidates = set(pipeline.get(current, ()))
    guards = guards or {}
    try:
        order = [value for value, _label in type(obj)._meta.get_field(field).choices or []]
    except Exception:
        order = []
    ordered = [s for s in order if s in candidates] + sorted(s for s in candidates if s not in order)
    return [s for s in ordered if (guard := guards.get(s)) is None or guard(obj, user)]
