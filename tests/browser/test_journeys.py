"""Journeys in a real headless Chromium (Debian's package) against the live server.

Skipped, with the reason, where Chromium or Playwright is missing; .ci/run installs both.
"""

import os
import re
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself (fixtures, assertions) are plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        context = browser.new_context(locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(15000)
        yield pg
        context.close()
        browser.close()


def test_language_switch_and_keyboard_focus(page, live_server, network):
    page.goto(live_server.url + "/")
    assert page.locator("h1").first.inner_text() == "海曙区社会组织服务中心"
    # The first Tab lands on the skip link, which becomes visible with a focus outline.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    with page.expect_navigation():
        page.select_option("#lang-select", "en")  # submits itself
    assert page.locator("h1").first.inner_text() == "Haishu District Social Organization Service Center"
    assert page.locator("html").get_attribute("lang") == "en"


def test_resident_files_a_request_and_tracks_it(page, live_server, network):
    from hotline.models import ServiceCategory, Ticket

    # Seeded by a data migration, but transactional tests flush tables between tests.
    ServiceCategory.objects.get_or_create(code="elderly", defaults={"name": "养老服务"})
    page.goto(live_server.url + "/hotline/")
    page.select_option("select[name=category]", label="养老服务")
    page.fill("textarea[name=description]", "家中老人行动不便，希望社区帮忙联系助餐服务。")
    page.fill("input[name=phone]", "13812345678")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    ticket = Ticket.objects.get()
    assert ticket.tracking_number in page.content()
    # Track it with the number and the last four digits of the phone.
    page.goto(live_server.url + "/hotline/track/")
    page.fill("input[name=tracking_number]", ticket.tracking_number)
    page.fill("input[name=last4]", "5678")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    body = page.content()
    assert ticket.tracking_number in body
    assert "13812345678" not in body  # the full phone never shows on the public page


def test_staff_logs_in_and_lands_on_the_workbench(page, live_server, make_user):
    make_user("desk", role="staff", department="info", is_staff=True)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pw-for-tests-123")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/workbench/$"))
    assert page.locator("h1").first.inner_text() == "工作台"
