"""`make bench` support: seed 500,000 × scale tickets quickly, and name the pages to time."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from center.models import NetworkUnit
from hotline import services
from hotline.models import ServiceCategory, Ticket, TicketEvent

PER_SCALE = 500_000
MARK = "bench"
BATCH = 5_000
OPEN_SHARE = 0.03
_OPEN = ["received", "dispatched", "signed_for", "in_progress", "answered", "returned", "reopened"]


def seed(scale: int = 1) -> None:
    seed_count(int(PER_SCALE * scale))


def seed_count(total: int) -> int:
    """Insert tickets (no per-row history or events: bulk_create) until `total` bench rows exist."""
    have = Ticket.objects.filter(external_id=MARK).count()
    todo = total - have
    if todo <= 0:
        return 0
    rng = random.Random(4242 + have)
    now = timezone.now()
    units = list(NetworkUnit.objects.filter(level__in=("street", "community")).values_list("pk", "level"))
    categories = list(ServiceCategory.objects.values_list("pk", flat=True))
    types = ["consultation", "help", "complaint", "suggestion"]
    if not units:
        raise RuntimeError("load the center demo (the network) first")
    # Spread over the past year, oldest first, so numbers run in time order within a year.
    offsets = sorted((rng.random() * 365 for _ in range(todo)), reverse=True)
    created = [now - timedelta(days=d) for d in offsets]
    years: dict[int, int] = {}
    for c in created:
        y = timezone.localtime(c).year
        years[y] = years.get(y, 0) + 1
    numbers = {y: iter(services.tracking_numbers_allocate(year=y, count=n)) for y, n in years.items()}
    done = 0
    for start in range(0, todo, BATCH):
        batch = []
        for c in created[start : start + BATCH]:
            unit_id, _level = units[rng.randrange(len(units))]
            open_ = rng.random() < OPEN_SHARE
            status = rng.choice(_OPEN) if open_ else "closed"
            dispatched = c + timedelta(hours=2) if status != "received" else None
            due = c + timedelta(days=rng.choice((3, 7, 19))) if dispatched else None
            answered = (c + timedelta(days=rng.randint(1, 10))) if status in ("answered", "closed") else None
            batch.append(
                Ticket(
                    tracking_number=next(numbers[timezone.localtime(c).year]),
                    access_key=secrets.token_urlsafe(24),
                    channel=rng.choice(("phone", "web", "walk_in", "api")),
                    ticket_type=rng.choice(types),
                    category_id=rng.choice(categories),
                    title="基准测试请求",
                    description="基准测试数据：居民求助内容。",
                    phone=f"138{rng.randint(10000000, 99999999)}",
                    status=status,
                    area_id=unit_id,
                    assigned_unit_id=unit_id if status != "received" and status != "returned" else None,
                    created_at=c,
                    first_dispatched_at=dispatched,
                    dispatched_at=dispatched,
                    sign_due=dispatched + timedelta(days=1) if dispatched else None,
                    answer_due=due,
                    answered_at=answered,
                    answered_on_time=(answered <= due) if answered and due else None,
                    handling_working_days=rng.randint(0, 12) if answered else None,
                    closed_at=answered + timedelta(days=1) if status == "closed" else None,
                    satisfaction=rng.choice(("satisfied", "satisfied", "basic", "dissatisfied"))
                    if status == "closed"
                    else "",
                    is_overdue=bool(due and due < now and status not in ("answered", "closed")),
                    external_id=MARK,
                )
            )
        with transaction.atomic():
            Ticket.objects.bulk_create(batch, batch_size=BATCH)
        done += len(batch)
    _tracking_sample()
    return done


def _tracking_sample() -> Ticket:
    """One bench ticket with a realistic public timeline, for the resident tracking page."""
    t = Ticket.objects.filter(external_id=MARK, status="closed").order_by("pk").first()
    if not t.events.exists():
        kinds = ["filed", "dispatched", "signed_for", "reply", "answered", "closed"]
        TicketEvent.objects.bulk_create(
            [TicketEvent(ticket=t, kind=k, public=True, unit_id=t.assigned_unit_id, text="") for k in kinds]
            + [TicketEvent(ticket=t, kind="note", public=False, text="内部备注")]
        )
    return t


def page_path(name: str) -> str:
    if name == "desk":
        return "/hotline/desk/?queue=to_dispatch"
    if name == "unit":
        return "/hotline/unit/"
    if name == "track":
        return f"/hotline/t/{_tracking_sample().access_key}/"
    if name == "statistics":
        return "/hotline/statistics/"
    if name == "open311":
        return "/open311/v2/requests.json"
    raise KeyError(name)
