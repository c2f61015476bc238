"""Hotline demo data: about 220 requests over the past year from across Haishu, every one
closed after a callback (the center's reported 100% resolution), plus a dozen open tickets
in every state (one overdue, one with an approved extension). Idempotent and quick."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from center.calendar import add_working_days, working_days_between
from center.demo import STREETS
from center.models import NetworkUnit, User
from center.services import notifications_inbox_only
from hotline import deadlines, services
from hotline.models import Callback, ServiceCategory, Ticket, TicketEvent

CLOSED_COUNT = 220
MARK = "demo-"

# (category, type, title, description, answer)
SAMPLES = [
    (
        "elderly",
        "help",
        "独居老人助餐",
        "家中八十岁老人独居，行动不便，希望社区能提供助餐服务。",
        "已对接社区老年食堂，每日中午送餐上门。",
    ),
    (
        "elderly",
        "consultation",
        "居家养老补贴咨询",
        "想了解居家养老服务补贴的申请条件和流程。",
        "已电话告知申请条件，材料可在社区服务中心递交。",
    ),
    (
        "disability",
        "help",
        "残疾人康复服务",
        "孩子肢体残疾，想申请康复训练服务。",
        "已联系区残联定点康复机构，安排评估。",
    ),
    (
        "disability",
        "consultation",
        "无障碍设施咨询",
        "小区出入口没有无障碍坡道，轮椅出入困难。",
        "已协调物业加装坡道，预计两周内完工。",
    ),
    (
        "children",
        "help",
        "留守儿童课后看护",
        "父母外出务工，孩子放学后无人照看。",
        "已安排社区“四点半课堂”接收，由志愿者辅导作业。",
    ),
    (
        "children",
        "consultation",
        "自闭症儿童家长互助",
        "孩子确诊自闭症，想找家长互助组织。",
        "已介绍“星星的孩子”家长互助论坛，并告知活动时间。",
    ),
    (
        "hardship",
        "help",
        "临时困难救助",
        "家中主要劳动力生病住院，生活暂时困难。",
        "已协助申请临时救助，并链接慈善资源。",
    ),
    (
        "hardship",
        "consultation",
        "低保申请咨询",
        "想了解最低生活保障的申请条件。",
        "已告知申请条件，社区工作人员上门指导填表。",
    ),
    (
        "community",
        "complaint",
        "楼道堆放杂物",
        "楼道长期堆放杂物，存在消防隐患。",
        "社区已联合物业清理楼道，并张贴提示。",
    ),
    (
        "community",
        "suggestion",
        "建议增设健身器材",
        "小区老人多，建议在空地增设健身器材。",
        "已纳入社区微实事项目，年内安装。",
    ),
    (
        "community",
        "help",
        "邻里噪音纠纷调解",
        "楼上住户夜间噪音大，沟通无果，请求调解。",
        "社区调解员已上门调解，双方达成共识。",
    ),
    (
        "social-org",
        "consultation",
        "社会组织登记咨询",
        "我们想成立一个志愿服务队，请问如何登记备案？",
        "已告知社区社会组织备案流程，可在平台提交材料。",
    ),
    (
        "social-org",
        "help",
        "公益项目场地需求",
        "志愿者团队开展活动缺少场地。",
        "已协调社区活动室，每周六上午可使用。",
    ),
    (
        "other",
        "suggestion",
        "建议延长服务时间",
        "建议服务中心周末也能开放咨询。",
        "已反馈中心，周六上午增设值班。",
    ),
]
OPEN_STATES = [
    "received",
    "received",
    "dispatched",
    "dispatched_community",
    "signed_for",
    "in_progress",
    "in_progress_extended",
    "in_progress_overdue",
    "answered",
    "answered",
    "returned",
    "reopened",
]


def _phone(rng: random.Random) -> str:
    return f"13{rng.choice('5678')}{rng.randint(10000000, 99999999)}"


def _units():
    streets = {u.code: u for u in NetworkUnit.objects.filter(code__in=[c for c, _ in STREETS])}
    communities = {
        u.code: u
        for u in NetworkUnit.objects.filter(level=NetworkUnit.Level.COMMUNITY, parent__in=streets.values())
    }
    return streets, communities


def _closed_tickets(
    rng: random.Random, now, streets, communities, categories, handlers, dispatcher, residents
):
    """Build the closed history (tickets, events, callbacks) for bulk insertion."""
    rows = []
    for i in range(CLOSED_COUNT):
        code, ttype, title, description, answer = SAMPLES[i % len(SAMPLES)]
        street_code = STREETS[rng.randrange(len(STREETS))][0]
        street = streets[street_code]
        community = communities.get(f"{street_code}-c{rng.randint(1, 3)}")
        unit = community if community is not None and rng.random() < 0.35 else street
        created = now - timedelta(
            days=rng.randint(20, 360), hours=rng.randint(0, 9), minutes=rng.randint(0, 59)
        )
        created = created.replace(hour=rng.randint(8, 17))
        dispatched = created + timedelta(hours=rng.randint(1, 5))
        due = deadlines.answer_due(start=dispatched, ticket_type=ttype, urgency="normal")
        on_time = rng.random() < 0.96
        answered = (
            (due - timedelta(days=rng.randint(1, 3), hours=8))
            if on_time
            else (due + timedelta(days=1, hours=-10))
        )
        answered = max(answered, dispatched + timedelta(hours=6))
        closed = answered + timedelta(days=rng.randint(1, 3))
        result = rng.choices(["satisfied", "basic"], weights=[88, 12])[0]
        rows.append(
            {
                "ticket": Ticket(
                    channel=rng.choices(["phone", "web", "walk_in"], weights=[60, 30, 10])[0],
                    ticket_type=ttype,
                    category=categories[code],
                    title=title,
                    description=description,
                    resident_name=rng.choice(["", "王女士", "李先生", "陈阿姨", "张师傅", "周女士"]),
                    phone=_phone(rng),
                    address=f"{street.name}某小区{rng.randint(1, 30)}幢",
                    area=unit,
                    status=Ticket.Status.CLOSED,
                    resident=residents[i % len(residents)] if i % 37 == 0 and residents else None,
                    assigned_unit=unit,
                    assigned_handler=handlers.get(unit.code) or handlers.get(street.code),
                    created_at=created,
                    first_dispatched_at=dispatched,
                    dispatched_at=dispatched,
                    sign_due=deadlines.sign_due(dispatched),
                    signed_at=dispatched + timedelta(hours=2),
                    answer_due=due,
                    answer=answer,
                    answered_at=answered,
                    answered_on_time=answered <= due,
                    is_overdue=answered > due,
                    handling_working_days=max(0, working_days_between(dispatched, answered)),
                    closed_at=closed,
                    satisfaction=result,
                    external_id=f"{MARK}{i:03d}",
                ),
                "events": [
                    ("filed", True, None, None, "", created),
                    ("dispatched", True, dispatcher, unit, "", dispatched),
                    ("signed_for", True, None, unit, "", dispatched + timedelta(hours=2)),
                    ("answered", True, None, unit, answer, answered),
                    ("callback", False, dispatcher, None, "", closed),
                    ("closed", True, dispatcher, None, "", closed),
                ],
                "result": result,
                "closed": closed,
            }
        )
    return rows


def _open_tickets(
    rng: random.Random, streets, communities, categories, dispatcher, users_by_name, stdout=None
):
    now = timezone.now()
    for i, state in enumerate(OPEN_STATES):
        code, ttype, title, description, answer = SAMPLES[(i * 5) % len(SAMPLES)]
        street_code = ["nanmen", "yuehu", "baiyun", "gaoqiao"][i % 4]
        street = streets[street_code]
        handler = users_by_name.get(f"handler_{street_code}")
        ticket = services.ticket_file(
            channel=["phone", "web", "walk_in", "api"][i % 4],
            ticket_type=ttype,
            category=categories[code],
            title=title,
            description=description,
            phone=_phone(rng),
            resident_name=["", "赵女士", "钱先生"][i % 3],
            area=street,
            urgency="urgent" if i == 3 else "normal",
            resident=users_by_name.get("resident1") if i in (0, 5, 8) else None,
            external_id=f"{MARK}open-{i:02d}",
        )
        if state == "received":
            continue
        services.ticket_dispatch(ticket=ticket, unit=street, actor=dispatcher)
        if state == "dispatched":
            continue
        if state == "dispatched_community":
            services.ticket_sign_for(ticket=ticket, actor=handler)
            services.ticket_redispatch(ticket=ticket, unit=communities[f"{street_code}-c1"], actor=handler)
            continue
        if state == "returned":
            services.ticket_return(
                ticket=ticket, actor=handler, reason="该事项属于区民政局职责，非街道可办理，请改派。"
            )
            continue
        services.ticket_sign_for(ticket=ticket, actor=handler)
        if state == "signed_for":
            continue
        services.ticket_reply(ticket=ticket, actor=handler, text="已收到，正在联系相关部门。")
        if state == "in_progress_extended":
            ext = services.extension_request(
                ticket=ticket, actor=handler, reason="需协调区残联和社区共同上门评估。", working_days=5
            )
            services.extension_decide(extension=ext, actor=dispatcher, approve=True, comment="同意延期")
            continue
        if state == "in_progress_overdue":
            # 12 working days ago (not calendar days: a long holiday must not hide the delay)
            past = timezone.make_aware(
                datetime.combine(add_working_days(now, -12), timezone.localtime(now).time())
            )
            shift = now - past
            Ticket.objects.filter(pk=ticket.pk).update(
                created_at=past,
                first_dispatched_at=past,
                dispatched_at=past,
                sign_due=deadlines.sign_due(past),
                signed_at=F("signed_at") - shift,
                answer_due=deadlines.answer_due(start=past, ticket_type=ttype, urgency="normal"),
            )
            # Its timeline happened back then too.
            TicketEvent.objects.filter(ticket=ticket).update(created_at=F("created_at") - shift)
            continue
        if state == "in_progress":
            services.ticket_note_add(ticket=ticket, actor=handler, text="已电话联系居民，约定周三上门。")
            continue
        services.ticket_answer(ticket=ticket, actor=handler, text=answer)
        if state == "reopened":
            services.callback_record(
                ticket=ticket, actor=dispatcher, result="dissatisfied", comment="居民表示问题仍未解决"
            )


def load_hotline_demo(stdout=None) -> None:
    # The demo's workflow notifications stay in the portal inbox; no e-mail leaves.
    with notifications_inbox_only():
        _load(stdout)


@transaction.atomic
def _load(stdout=None) -> None:
    if Ticket.objects.filter(external_id__startswith=MARK).exists():
        if stdout:
            stdout.write("hotline: demo data already loaded")
        return
    rng = random.Random(2010)
    now = timezone.now()
    streets, communities = _units()
    if not streets:
        raise RuntimeError("load the center demo (the network) first")
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    dispatcher = User.objects.get(username="staff_info")
    users = {u.username: u for u in User.objects.filter(username__startswith="handler_")}
    users.update(
        {u.username: u for u in User.objects.filter(username__in=["resident1", "resident2", "resident3"])}
    )
    handlers = {}
    for name, user in users.items():
        if name.startswith("handler_") and user.network_unit_id:
            handlers[user.network_unit.code] = user
    residents = [users[n] for n in ("resident1", "resident2", "resident3") if n in users]

    rows = _closed_tickets(rng, now, streets, communities, categories, handlers, dispatcher, residents)
    rows.sort(key=lambda r: r["ticket"].created_at)
    by_year: dict[int, list] = {}
    for r in rows:
        by_year.setdefault(timezone.localtime(r["ticket"].created_at).year, []).append(r)
    for year, items in by_year.items():
        for r, number in zip(
            items, services.tracking_numbers_allocate(year=year, count=len(items)), strict=True
        ):
            r["ticket"].tracking_number = number
    tickets = bulk_create_with_history([r["ticket"] for r in rows], Ticket, batch_size=500)
    saved = {t.external_id: t for t in Ticket.objects.filter(external_id__startswith=MARK)}
    events, callbacks = [], []
    for r in rows:
        t = saved[r["ticket"].external_id]
        for kind, public, actor, unit, text, at in r["events"]:
            events.append(
                TicketEvent(
                    ticket=t, kind=kind, public=public, actor=actor, unit=unit, text=text, created_at=at
                )
            )
        callbacks.append(
            Callback(
                ticket=t, channel="phone", result=r["result"], recorded_by=dispatcher, created_at=r["closed"]
            )
        )
    TicketEvent.objects.bulk_create(events, batch_size=1000)
    Callback.objects.bulk_create(callbacks, batch_size=500)
    _open_tickets(rng, streets, communities, categories, dispatcher, users, stdout)
    # What the beat task would do next: mark the overdue request, tell the unit above and the
    # dispatchers, remind the units whose deadline is near (each once, as ever).
    services.deadlines_sweep()
    if stdout:
        stdout.write(f"hotline: {len(tickets)} closed requests and {len(OPEN_STATES)} open ones")
