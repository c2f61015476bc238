"""REST API from the side of the refused person."""

import pytest

from hotline import services
from tests.hotline.factories import file_ticket
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_community_handler_refused_on_sibling_ticket_api(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen_c2, actor=people.dispatcher)
    client.force_login(people.c1)
    assert client.get(f"/api/v1/hotline/tickets/{ticket.tracking_number}/").status_code == 403
    r = client.post(f"/api/v1/hotline/tickets/{ticket.tracking_number}/sign/")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/hotline/tickets/").json()["count"] == 0
    ticket.refresh_from_db()
    assert ticket.status == "dispatched"


def test_handler_signs_and_answers_via_api(client, people, ticket):
    services.ticket_dispatch(ticket=ticket, unit=people.net.nanmen_c1, actor=people.dispatcher)
    client.force_login(people.c1)
    listing = client.get("/api/v1/hotline/tickets/").json()
    assert listing["results"][0]["phone"] == "138****1234"
    r = client.post(f"/api/v1/hotline/tickets/{ticket.tracking_number}/answer/", {"text": "答复"})
    assert r.status_code == 409  # not signed for yet
    assert client.post(f"/api/v1/hotline/tickets/{ticket.tracking_number}/sign/").status_code == 200
    r = client.post(f"/api/v1/hotline/tickets/{ticket.tracking_number}/answer/", {"text": "已安排"})
    assert r.status_code == 200 and r.json()["status"] == "answered" and r.json()["phone"] == "13812341234"


def test_anonymous_and_residents_see_nothing(client, resident, ticket):
    assert client.get("/api/v1/hotline/tickets/").status_code in (401, 403)
    client.force_login(resident)
    assert client.get("/api/v1/hotline/tickets/").json()["count"] == 0
    assert client.get(f"/api/v1/hotline/tickets/{ticket.tracking_number}/").status_code == 403


def test_ticket_list_api_query_count_is_constant(client, people, ticket):
    client.force_login(people.dispatcher)
    assert_constant_queries(
        lambda: client.get("/api/v1/hotline/tickets/"), lambda: [file_ticket() for _ in range(3)]
    )


def test_handler_ticket_list_api_query_count_is_constant(client, people):
    """Rows the handler signed for show the full phone: deciding that must not cost a query a row."""

    def grow():
        for _ in range(3):
            t = file_ticket()
            services.ticket_dispatch(ticket=t, unit=people.net.nanmen_c1, actor=people.dispatcher)
            services.ticket_sign_for(ticket=t, actor=people.c1)

    grow()
    client.force_login(people.c1)
    assert_constant_queries(lambda: client.get("/api/v1/hotline/tickets/"), grow)
    assert {r["phone"] for r in client.get("/api/v1/hotline/tickets/").json()["results"]} == {"13812341234"}
