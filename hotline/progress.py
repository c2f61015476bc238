"""Where a help request stands, as the resident sees it: the seven steps of the hotline
(受理 → 派单 → 签收 → 办理 → 答复 → 回访 → 办结) and which one is current."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hotline.models import Ticket

S = Ticket.Status

STEPS = [
    ("received", pgettext_lazy("hotline step", "Received")),
    ("dispatched", pgettext_lazy("hotline step", "Dispatched")),
    ("signed_for", pgettext_lazy("hotline step", "Signed for")),
    ("handling", pgettext_lazy("hotline step", "Handling")),
    ("answered", pgettext_lazy("hotline step", "Answered")),
    ("callback", pgettext_lazy("hotline step", "Callback")),
    ("closed", pgettext_lazy("hotline step", "Closed")),
]

# The step each status stands on. A returned request is back with the dispatcher (step 1);
# a reopened one is being handled again.
_CURRENT = {
    S.RECEIVED: 0,
    S.RETURNED: 0,
    S.DISPATCHED: 1,
    S.SIGNED_FOR: 2,
    S.IN_PROGRESS: 3,
    S.REOPENED: 3,
    S.ANSWERED: 5,  # answered; waiting for the resident's rating or the center's call
    S.CLOSED: 6,
}


@dataclass(frozen=True)
class Step:
    key: str
    label: object
    state: str  # "done", "current", "todo"

    @property
    def is_current(self) -> bool:
        return self.state == "current"


def ticket_steps(ticket: Ticket) -> list[Step]:
    """The seven steps with their state; a closed request has its last step current (done)."""
    current = _CURRENT.get(ticket.status, 0)
    return [
        Step(key=key, label=label, state="done" if i < current else "current" if i == current else "todo")
        for i, (key, label) in enumerate(STEPS)
    ]


def expected_answer_note(ticket: Ticket):
    """What to tell the resident about the answer date when no deadline is set yet."""
    if ticket.answer_due or ticket.status in (S.ANSWERED, S.CLOSED):
        return ""
    return _("The answer date is set when the request is dispatched to a street or community.")
