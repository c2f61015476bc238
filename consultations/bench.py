"""`make bench` support: seed 20,000 events, 1,000,000 registrations and 200,000 opinions
(× scale) with bulk inserts, and name the pages to time."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from consultations.models import Consultation, Event, EventKind, Opinion, Paragraph, Registration

EVENTS = 20_000
REGISTRATIONS = 1_000_000
OPINIONS = 200_000
CONSULTATIONS = 200
BATCH = 5_000
MARK = "基准测试"


def _kinds() -> list[int]:
    from consultations.demo import ensure_kinds

    ensure_kinds()
    return list(EventKind.objects.values_list("pk", flat=True))


def seed(scale: float = 1) -> None:
    events = max(int(EVENTS * scale), 20)
    seed_events(events, registrations=max(int(REGISTRATIONS * scale), 200))
    seed_opinions(max(int(OPINIONS * scale), 100), consultations=max(int(CONSULTATIONS * scale), 2))


def seed_events(total: int, *, registrations: int) -> None:
    """Events spread over three years around today, each with its share of registrations."""
    have = Event.objects.filter(title__startswith=MARK).count()
    todo = total - have
    if todo <= 0:
        return
    rng = random.Random(1200 + have)
    kinds = _kinds()
    now = timezone.now()
    per_event = max(registrations // total, 1)
    for start in range(0, todo, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, todo)):
            begins = now + timedelta(days=rng.uniform(-730, 365), hours=rng.randint(0, 8))
            rows.append(
                Event(
                    title=f"{MARK}活动{have + i + 1}",
                    kind_id=rng.choice(kinds),
                    starts_at=begins,
                    ends_at=begins + timedelta(hours=2),
                    registration_opens_at=begins - timedelta(days=30),
                    registration_closes_at=begins - timedelta(hours=2),
                    capacity=per_event + 10,
                    seats_taken=per_event,
                    venue="海曙区社会组织服务中心",
                    audience=rng.choice(("organizations", "residents", "everyone")),
                    status="published",
                )
            )
        with transaction.atomic():
            created = Event.objects.bulk_create(rows, batch_size=BATCH)
        regs = []
        for event in created:
            for j in range(per_event):
                regs.append(
                    Registration(
                        event_id=event.pk,
                        kind="resident",
                        name=f"参会人{j}",
                        attendees=1,
                        status="confirmed",
                        code=secrets.token_urlsafe(9),
                        created_at=event.starts_at - timedelta(days=3),
                    )
                )
                if len(regs) >= BATCH:
                    Registration.objects.bulk_create(regs, batch_size=BATCH)
                    regs = []
        if regs:
            Registration.objects.bulk_create(regs, batch_size=BATCH)


def seed_opinions(total: int, *, consultations: int) -> None:
    have = Opinion.objects.filter(consultation__title__startswith=MARK).count()
    todo = total - have
    if todo <= 0:
        return
    rng = random.Random(4300 + have)
    now = timezone.now()
    existing = list(Consultation.objects.filter(title__startswith=MARK).values_list("pk", flat=True))
    for n in range(len(existing), consultations):
        c = Consultation.objects.create(
            title=f"{MARK}征求意见稿{n + 1}",
            status="open" if n == 0 else "closed",
            published_at=now - timedelta(days=30),
            opens_at=now - timedelta(days=20),
            closes_at=now + timedelta(days=30) if n == 0 else now - timedelta(days=1),
        )
        Paragraph.objects.bulk_create(
            [Paragraph(consultation=c, number=i, heading=f"第{i}条", text="条文") for i in range(1, 11)]
        )
        existing.append(c.pk)
    paragraphs: dict[int, list[int]] = {}
    for pk, consultation_id in Paragraph.objects.filter(consultation_id__in=existing).values_list(
        "pk", "consultation_id"
    ):
        paragraphs.setdefault(consultation_id, []).append(pk)
    per = max(todo // len(existing), 1)
    rows = []
    for i in range(todo):
        consultation_id = existing[min(i // per, len(existing) - 1)]
        rows.append(
            Opinion(
                consultation_id=consultation_id,
                paragraph_id=rng.choice(paragraphs[consultation_id] + [None]),
                name=f"居民{i}",
                name_public=rng.random() < 0.3,
                body="基准测试意见：建议进一步明确条文的适用范围。",
                created_at=now - timedelta(minutes=i),
            )
        )
        if len(rows) >= BATCH:
            Opinion.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
    if rows:
        Opinion.objects.bulk_create(rows, batch_size=BATCH)


def page_path(name: str) -> str:
    if name == "events":
        return "/consultations/events/"
    if name == "calendar":
        return "/consultations/events/calendar/"
    if name == "event":
        event = (
            Event.objects.filter(title__startswith=MARK, starts_at__gte=timezone.now())
            .order_by("starts_at")
            .first()
        )
        event = event or Event.objects.order_by("-pk").first()
        return f"/consultations/events/{event.pk}/"
    if name == "feed":
        return "/consultations/events.ics"
    if name == "opinions":
        c = (
            Consultation.objects.filter(title__startswith=MARK).order_by("pk").first()
            or Consultation.objects.first()
        )
        return f"/consultations/drafts/{c.pk}/"
    raise KeyError(name)
