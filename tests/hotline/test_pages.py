"""The pages, from the side of residents, dispatchers and unit handlers."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from hotline import services
from hotline.models import PhoneReveal, Ticket
from tests.hotline.factories import category, file_ticket
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def _form(**kw):
    data = {
        "ticket_type": "help",
        "category": category().pk,
        "title": "需要助餐",
        "description": "家中老人需要助餐服务",
        "phone": "13812345678",
        "resident_name": "李四",
        "address": "某小区3幢",
        "website": "",
    }
    data.update(kw)
    return data


def test_resident_files_without_account_and_gets_number_and_link(client):
    r = client.post(reverse("hotline:file"), _form())
    ticket = Ticket.objects.get()
    assert r.status_code == 302 and ticket.access_key in r["Location"]
    page = client.get(r["Location"])
    assert ticket.tracking_number in page.text
    assert reverse("hotline:track_link", args=[ticket.access_key]) in page.text
    assert "13812345678" not in page.text and "138****5678" in page.text
    assert ticket.channel == "web" and ticket.resident is None


def test_bad_phone_is_refused_with_a_clear_message(client):
    r = client.post(reverse("hotline:file"), _form(phone="12345"), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "is not a valid phone number" in r.text
    r = client.post(reverse("hotline:file"), _form(phone="12345"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "不是有效的电话号码" in r.text
    assert not Ticket.objects.exists()


def test_honeypot_writes_nothing(client):
    r = client.post(reverse("hotline:file"), _form(website="http://spam.example"))
    assert r.status_code == 302
    assert not Ticket.objects.exists()


def test_filing_is_rate_limited_per_ip(client):
    for i in range(5):
        assert (
            client.post(
                reverse("hotline:file"), _form(phone=f"1381234567{i}"), REMOTE_ADDR="10.1.1.1"
            ).status_code
            == 302
        )
    r = client.post(
        reverse("hotline:file"), _form(phone="13912345678"), REMOTE_ADDR="10.1.1.1", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 429 and "You have filed 5 requests in the last hour" in r.text
    assert Ticket.objects.count() == 5
    # another network is not affected
    assert (
        client.post(reverse("hotline:file"), _form(phone="13912345678"), REMOTE_ADDR="10.9.9.9").status_code
        == 302
    )


def test_filing_is_rate_limited_per_phone(client):
    for i in range(5):
        assert client.post(reverse("hotline:file"), _form(), REMOTE_ADDR=f"10.2.0.{i}").status_code == 302
    r = client.post(reverse("hotline:file"), _form(phone="138 1234 5678"), REMOTE_ADDR="10.2.0.99")
    assert r.status_code == 429 and "一小时内已提交 5 件诉求" in r.text
    assert Ticket.objects.count() == 5


def test_logged_in_resident_sees_my_requests(client, resident, make_user):
    client.force_login(resident)
    client.post(reverse("hotline:file"), _form())
    other = file_ticket(title="别人的请求")
    page = client.get(reverse("hotline:mine"))
    ticket = Ticket.objects.get(resident=resident)
    assert ticket.tracking_number in page.text and other.tracking_number not in page.text


def test_tracking_by_number_and_last_four(client, ticket):
    r = client.post(reverse("hotline:track"), {"tracking_number": ticket.tracking_number, "last4": "1234"})
    assert r.status_code == 302 and r["Location"].endswith(f"/t/{ticket.access_key}/")


def test_wrong_last_four_is_refused_then_rate_limited(client, ticket):
    url = reverse("hotline:track")
    r = client.post(url, {"tracking_number": ticket.tracking_number, "last4": "0000"})
    assert r.status_code == 404 and ticket.access_key not in r.text and ticket.title not in r.text
    for _ in range(9):
        client.post(url, {"tracking_number": ticket.tracking_number, "last4": "9999"})
    r = client.post(url, {"tracking_number": ticket.tracking_number, "last4": "1234"})
    assert r.status_code == 429 and ticket.access_key not in r.text


def test_wrong_guesses_from_many_ips_are_limited_per_tracking_number(client, ticket):
    url = reverse("hotline:track")
    for i in range(10):
        client.post(
            url, {"tracking_number": ticket.tracking_number, "last4": f"{i:04d}"}, REMOTE_ADDR=f"10.3.0.{i}"
        )
    r = client.post(url, {"tracking_number": ticket.tracking_number, "last4": "1234"}, REMOTE_ADDR="10.3.1.1")
    assert r.status_code == 429


def test_unknown_link_is_404(client, ticket):
    assert client.get(reverse("hotline:track_link", args=["not-a-key"])).status_code == 404


def test_public_timeline_hides_notes_and_handler(client, people, ticket):
    people.street.display_name = "王小明"
    people.street.save()
    services.ticket_dispatch(
        ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher, note="派单备注秘密"
    )
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    services.ticket_note_add(ticket=ticket, actor=people.street, text="内部备注秘密")
    services.ticket_reply(ticket=ticket, actor=people.street, text="我们正在联系助餐点")
    page = client.get(reverse("hotline:track_link", args=[ticket.access_key]))
    assert "我们正在联系助餐点" in page.text and "南门街道" in page.text
    for secret in ("内部备注秘密", "派单备注秘密", "王小明", "h_nanmen", people.dispatcher.username):
        assert secret not in page.text


def test_resident_adds_information_and_rates(client, people, ticket):
    url = reverse("hotline:track_link", args=[ticket.access_key])
    assert client.post(url, {"action": "info", "text": "补充：老人行动不便"}).status_code == 302
    assert ticket.events.filter(kind="resident_info", public=True).exists()
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    services.ticket_answer(ticket=ticket, actor=people.street, text="已安排")
    assert client.post(url, {"action": "rate", "result": "satisfied", "comment": "谢谢"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.satisfaction == "satisfied"


def test_dispatcher_bulk_dispatch_from_desk(client, people):
    a, b = file_ticket(), file_ticket()
    client.force_login(people.dispatcher)
    page = client.get(reverse("hotline:desk"))
    assert a.tracking_number in page.text and "13812341234" in page.text
    r = client.post(
        reverse("hotline:desk") + "?queue=to_dispatch", {"ticket": [a.pk, b.pk], "unit": people.net.nanmen.pk}
    )
    assert r.status_code == 302
    assert Ticket.objects.filter(status="dispatched", assigned_unit=people.net.nanmen).count() == 2


def test_desk_refused_to_other_staff_and_handlers(client, people):
    for who in (people.other_staff, people.street):
        client.force_login(who)
        assert client.get(reverse("hotline:desk")).status_code == 403


def test_phone_call_logging_dispatches_at_once(client, people):
    client.force_login(people.dispatcher)
    r = client.post(
        reverse("hotline:call"),
        {
            "phone": "13900001111",
            "description": "独居老人求助",
            "ticket_type": "help",
            "category": category("elderly").pk,
            "area": people.net.nanmen_c1.pk,
            "urgency": "urgent",
            "channel": "phone",
            "dispatch_now": "on",
        },
    )
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert t.channel == "phone" and t.status == "dispatched" and t.assigned_unit == people.net.nanmen_c1
    assert t.title == "独居老人求助"


def test_handler_list_shows_own_unit_and_communities(client, people):
    mine = file_ticket(title="街道的")
    below = file_ticket(title="社区的")
    sibling = file_ticket(title="隔壁社区的")
    other = file_ticket(title="月湖的")
    services.ticket_dispatch(ticket=mine, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_dispatch(ticket=below, unit=people.net.nanmen_c1, actor=people.dispatcher)
    services.ticket_dispatch(ticket=sibling, unit=people.net.nanmen_c2, actor=people.dispatcher)
    services.ticket_dispatch(ticket=other, unit=people.net.yuehu, actor=people.dispatcher)
    client.force_login(people.street)
    page = client.get(reverse("hotline:unit")).text
    assert (
        all(t.tracking_number in page for t in (mine, below, sibling)) and other.tracking_number not in page
    )
    client.force_login(people.c1)
    page = client.get(reverse("hotline:unit")).text
    assert below.tracking_number in page
    assert not any(t.tracking_number in page for t in (mine, sibling, other))


def test_community_handler_refused_on_sibling_ticket_pages(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen_c2, actor=people.dispatcher)
    client.force_login(people.c1)
    assert client.get(reverse("hotline:ticket_detail", args=[ticket.tracking_number])).status_code == 403
    r = client.post(reverse("hotline:ticket_action", args=[ticket.tracking_number, "sign"]))
    assert r.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == "dispatched"


def test_handler_signs_and_answers_through_pages(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    client.force_login(people.street)
    url = lambda a: reverse("hotline:ticket_action", args=[ticket.tracking_number, a])  # noqa: E731
    assert client.post(url("answer"), {"text": "太早了"}).status_code == 409
    assert client.post(url("sign")).status_code == 302
    assert client.post(url("answer"), {"text": "已安排助餐"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "answered"


def test_phone_masked_for_unassigned_handlers_and_reveal_logged(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen_c1, actor=people.dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=people.c1)
    detail = reverse("hotline:ticket_detail", args=[ticket.tracking_number])
    client.force_login(people.street)  # sees the community's ticket, but is not its handler
    page = client.get(detail).text
    assert "13812341234" not in page and "138****1234" in page
    r = client.post(reverse("hotline:ticket_action", args=[ticket.tracking_number, "reveal"]))
    assert "13812341234" in r.text
    assert PhoneReveal.objects.filter(ticket=ticket, user=people.street).count() == 1
    client.force_login(people.c1)  # the assigned handler
    assert "13812341234" in client.get(detail).text
    client.force_login(people.dispatcher)
    assert "13812341234" in client.get(detail).text
    client.force_login(people.other_staff)
    assert "13812341234" not in client.get(detail).text
    assert PhoneReveal.objects.count() == 1


def test_desk_query_count_is_constant(client, people):
    file_ticket()
    client.force_login(people.dispatcher)
    for queue in ("to_dispatch", "all", "overdue"):
        cache.clear()  # counts and rows are cached per data version: compare cold with cold
        assert_constant_queries(
            lambda q=queue: client.get(reverse("hotline:desk"), {"queue": q}),
            lambda: [file_ticket() for _ in range(3)],
        )


def test_handler_list_query_count_is_constant(client, people):
    def grow():
        for _ in range(3):
            t = file_ticket()
            services.ticket_dispatch(ticket=t, unit=people.net.nanmen_c1, actor=people.dispatcher)

    grow()
    client.force_login(people.street)
    assert_constant_queries(lambda: client.get(reverse("hotline:unit")), grow)


def test_tracking_page_query_count_is_constant(client, people, ticket):
    url = reverse("hotline:track_link", args=[ticket.access_key])

    def grow():
        for i in range(3):
            services.ticket_resident_info_add(ticket=ticket, text=f"补充信息 {i}")

    assert_constant_queries(lambda: client.get(url), grow)


def test_my_requests_query_count_is_constant(client, resident):
    client.force_login(resident)
    file_ticket(resident=resident)
    assert_constant_queries(
        lambda: client.get(reverse("hotline:mine")),
        lambda: [file_ticket(resident=resident) for _ in range(3)],
    )


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_filing_with_an_image_and_refusing_a_fake_one(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    assert client.post(reverse("hotline:file"), _form(images=[ok])).status_code == 302
    image = Ticket.objects.get().images.get()
    assert image.mime == "image/png" and "photo" not in image.file.name  # a random, unguessable name
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image at all", content_type="image/jpeg")
    r = client.post(reverse("hotline:file"), _form(images=[fake]))
    assert r.status_code == 200 and "photo.jpg" in r.text
    assert Ticket.objects.count() == 1


def test_desk_search_and_filters(client, people):
    a = file_ticket(title="轮椅出入困难", ticket_type="complaint")
    b = file_ticket(title="助餐服务")
    client.force_login(people.dispatcher)
    page = client.get(reverse("hotline:desk"), {"queue": "all", "q": "轮椅"}).text
    assert a.tracking_number in page and b.tracking_number not in page
    page = client.get(reverse("hotline:desk"), {"queue": "all", "ticket_type": "help"}).text
    assert b.tracking_number in page and a.tracking_number not in page
    page = client.get(reverse("hotline:desk"), {"queue": "all", "q": b.tracking_number}).text
    assert b.tracking_number in page and a.tracking_number not in page


def test_admin_pages_open(client, make_user, ticket):
    client.force_login(
        make_user("root_t", role="staff", department="admin", is_staff=True, is_superuser=True)
    )
    for model in (
        "ticket",
        "servicecategory",
        "deadlinepolicy",
        "extensionrequest",
        "callback",
        "phonereveal",
        "apikey",
    ):
        assert client.get(f"/admin/hotline/{model}/").status_code == 200, model
    assert client.get(f"/admin/hotline/ticket/{ticket.pk}/change/").status_code == 200
    assert client.get("/admin/hotline/apikey/add/").status_code == 200


def test_extension_and_callback_through_pages(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    url = lambda a: reverse("hotline:ticket_action", args=[ticket.tracking_number, a])  # noqa: E731
    client.force_login(people.street)
    assert client.post(url("extension"), {"working_days": "99", "reason": "太多"}).status_code == 400
    assert client.post(url("extension"), {"working_days": "3", "reason": "需要协调"}).status_code == 302
    ext = ticket.extensions.get()
    assert client.post(url("extension_approve"), {"extension": ext.pk}).status_code == 403
    client.force_login(people.dispatcher)
    page = client.get(reverse("hotline:desk"), {"queue": "extensions"}).text
    assert ticket.tracking_number in page
    assert client.post(url("extension_approve"), {"extension": ext.pk}).status_code == 302
    ext.refresh_from_db()
    assert ext.status == "approved"
    services.ticket_answer(ticket=ticket, actor=people.street, text="已处理")
    assert client.post(url("callback"), {"result": "dissatisfied", "comment": "没解决"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "reopened"


def test_return_through_page_leaves_handlers_sight(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    client.force_login(people.street)
    url = reverse("hotline:ticket_action", args=[ticket.tracking_number, "return"])
    assert client.post(url, {"reason": ""}).status_code == 400
    r = client.post(url, {"reason": "非本辖区事项"})
    assert r.status_code == 302 and r["Location"] == reverse("hotline:unit")
    client.force_login(people.dispatcher)
    page = client.get(reverse("hotline:desk"), {"queue": "returned"}).text
    assert ticket.tracking_number in page and "非本辖区事项" in page


def test_beat_schedule_runs_the_sweep_every_15_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["hotline-deadlines-sweep"]
    assert entry["task"] == "hotline.tasks.deadlines_sweep"
    assert entry["schedule"].minute == set(range(0, 60, 15))


def test_callback_verdict_is_shown_in_the_readers_language(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    services.ticket_answer(ticket=ticket, actor=people.street, text="已安排")
    services.callback_record(
        ticket=ticket, actor=people.dispatcher, result="dissatisfied", comment="没有解决"
    )
    client.force_login(people.dispatcher)
    url = reverse("hotline:ticket_detail", args=[ticket.tracking_number])
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    assert "Callbacks" in en and "Dissatisfied" in en and "没有解决" in en and "不满意" not in en
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "回访记录" in zh and "不满意" in zh


def test_hotline_words_keep_their_own_chinese_among_merged_catalogues(client, people, ticket):
    """Other apps translate the same English words differently (e.g. a legal "Address" is 住所);
    the hotline's strings carry a context so residents read 地址, 筛选, 补充."""
    zh = client.get(
        reverse("hotline:track_link", args=[ticket.access_key]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).text
    assert ">补充</button>" in zh
    client.force_login(people.dispatcher)
    detail = client.get(
        reverse("hotline:ticket_detail", args=[ticket.tracking_number]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).text
    assert "<dt>地址</dt>" in detail and "住所" not in detail and "<dt>诉求内容</dt>" in detail
    desk = client.get(reverse("hotline:desk"), HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "筛选</button>" in desk and "过滤器" not in desk
    form = client.get(reverse("hotline:file"), HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "住所" not in form


def test_dispatcher_queues_hold_the_right_tickets_with_counts(client, people, clock):
    from tests.hotline.factories import aware

    clock.set(aware(2026, 3, 2, 9))  # Monday
    received = file_ticket(title="待派单的")
    due_today = file_ticket(title="今天到期的", urgency="urgent")
    services.ticket_dispatch(ticket=due_today, unit=people.net.nanmen, actor=people.dispatcher)
    late = file_ticket(title="超期的", ticket_type="consultation")
    clock.set(aware(2026, 2, 23, 9))
    services.ticket_dispatch(
        ticket=late, unit=people.net.yuehu, actor=people.dispatcher
    )  # due Thu Feb 26, never signed
    clock.set(aware(2026, 3, 2, 10))
    answered = file_ticket(title="待回访的")
    services.ticket_answer(ticket=answered, actor=people.dispatcher, text="已电话答复")
    asked = file_ticket(title="申请延期的")
    services.ticket_dispatch(ticket=asked, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_sign_for(ticket=asked, actor=people.street)
    services.extension_request(ticket=asked, actor=people.street, reason="需协调", working_days=2)
    expected = {
        "to_dispatch": {received},
        "due_today": {due_today},
        "overdue": {late},
        "unsigned": {late},
        "awaiting_callback": {answered},
        "extensions": {asked},
    }
    all_tickets = {received, due_today, late, answered, asked}
    client.force_login(people.dispatcher)
    for queue, wanted in expected.items():
        page = client.get(reverse("hotline:desk"), {"queue": queue}, HTTP_ACCEPT_LANGUAGE="en").text
        shown = {t for t in all_tickets if t.tracking_number in page}
        assert shown == wanted, queue
    tabs = client.get(reverse("hotline:desk"), HTTP_ACCEPT_LANGUAGE="en").text
    for label in (
        "To dispatch (1)",
        "Due today (1)",
        "Overdue (1)",
        "Awaiting callback (1)",
        "Extension requests (1)",
    ):
        assert label in tabs


def test_resident_with_own_last_four_refused_on_another_ticket(client):
    mine = file_ticket(phone="13800001111")
    theirs = file_ticket(phone="13900002222", title="别人的诉求")
    r = client.post(reverse("hotline:track"), {"tracking_number": theirs.tracking_number, "last4": "1111"})
    assert r.status_code == 404
    assert theirs.access_key not in r.text and "别人的诉求" not in r.text and mine.access_key not in r.text
    assert client.get(reverse("hotline:track_link", args=[mine.access_key])).status_code == 200


def test_lists_mask_phones_except_for_the_assigned_handler(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen_c1, actor=people.dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=people.c1)
    client.force_login(people.street)
    page = client.get(reverse("hotline:unit")).text
    assert ticket.tracking_number in page and "13812341234" not in page and "138****1234" in page
    api = client.get("/api/v1/hotline/tickets/").json()["results"]
    assert [r["phone"] for r in api] == ["138****1234"]
    client.force_login(people.c1)
    assert "13812341234" in client.get(reverse("hotline:unit")).text


def test_staff_filing_on_the_public_form_does_not_make_it_their_request(client, people):
    client.force_login(people.dispatcher)
    assert client.post(reverse("hotline:file"), _form()).status_code == 302
    assert Ticket.objects.get().resident is None


def test_phone_call_without_a_street_waits_for_dispatch_and_says_so(client, people):
    client.force_login(people.dispatcher)
    r = client.post(
        reverse("hotline:call"),
        {
            "phone": "13900001111",
            "description": "咨询养老补贴",
            "ticket_type": "consultation",
            "category": category().pk,
            "urgency": "normal",
            "channel": "phone",
            "dispatch_now": "on",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    t = Ticket.objects.get()
    assert t.status == "received" and t.channel == "phone"
    assert f"Logged as {t.tracking_number}" in r.text and "waits in the" in r.text


def test_final_answer_asks_for_confirmation(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    client.force_login(people.street)
    page = client.get(
        reverse("hotline:ticket_detail", args=[ticket.tracking_number]), HTTP_ACCEPT_LANGUAGE="en"
    ).text
    assert 'data-confirm="Send this as the final answer?' in page


def test_each_action_confirms_what_happened_in_plain_words(client, people, ticket):
    url = lambda a: reverse("hotline:ticket_action", args=[ticket.tracking_number, a])  # noqa: E731
    client.force_login(people.dispatcher)
    r = client.post(url("dispatch"), {"unit": people.net.nanmen.pk}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Dispatched to 南门街道." in r.text
    client.force_login(people.street)
    r = client.post(url("sign"), follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "已签收：该诉求由本单位办理。" in r.text
    r = client.post(
        url("redispatch"), {"unit": people.net.nanmen_c1.pk}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Passed down to 南门东社区." in r.text
    client.force_login(people.c1)
    client.post(url("sign"))
    r = client.post(url("answer"), {"text": "已安排"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Answer sent." in r.text
    track = reverse("hotline:track_link", args=[ticket.access_key])
    r = client.post(
        track, {"action": "rate", "result": "dissatisfied"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "the request is reopened" in r.text
    client.post(url("answer"), {"text": "再次答复"})
    client.force_login(people.dispatcher)
    r = client.post(url("callback"), {"result": "satisfied"}, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "回访已记录，诉求已办结。" in r.text


def test_ticket_detail_query_count_is_constant(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen, actor=people.dispatcher)
    services.ticket_sign_for(ticket=ticket, actor=people.street)
    client.force_login(people.dispatcher)
    url = reverse("hotline:ticket_detail", args=[ticket.tracking_number])

    def grow():
        for i in range(3):
            services.ticket_note_add(ticket=ticket, actor=people.street, text=f"备注 {i}")
            services.ticket_reply(ticket=ticket, actor=people.street, text=f"回复 {i}")
        ext = services.extension_request(ticket=ticket, actor=people.street, reason="需协调", working_days=1)
        services.extension_decide(extension=ext, actor=people.dispatcher, approve=False)

    grow()
    assert_constant_queries(lambda: client.get(url), grow)


def test_admin_masks_phones_for_non_dispatchers_and_never_edits_the_workflow(client, people, ticket):
    from center.staff_access import place_staff_in_group, sync_staff_group

    sync_staff_group()
    for who in (people.other_staff, people.dispatcher):
        place_staff_in_group(None, who, True)  # the console rights every staff account gets
    change = f"/admin/hotline/ticket/{ticket.pk}/change/"
    client.force_login(people.other_staff)
    page = client.get(change)
    assert page.status_code == 200 and "13812341234" not in page.text and "138****1234" in page.text
    version = ticket.history.first().history_id
    assert client.get(f"/admin/hotline/ticket/{ticket.pk}/history/{version}/").status_code == 403
    assert client.get("/admin/hotline/ticket/add/").status_code == 403
    client.force_login(people.dispatcher)
    assert "13812341234" in client.get(change).text
    assert 'name="status"' not in client.get(change).text  # status moves only through the workflow


def test_received_and_answered_badges_differ_beyond_colour(client, resident):
    received = file_ticket(resident=resident, title="刚提交的诉求")
    answered = file_ticket(resident=resident, title="已答复的诉求")
    Ticket.objects.filter(pk=answered.pk).update(status=Ticket.Status.ANSWERED)
    client.force_login(resident)
    page = client.get(reverse("hotline:mine")).text
    assert received.status == Ticket.Status.RECEIVED
    assert '<span class="status warn">已受理</span>' in page
    assert '<span class="status info">已答复</span>' in page
