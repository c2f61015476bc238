"""Each role's main journey in a real headless Chromium (Debian's package), in Chinese and in
English, on a desktop (1366 px) and a phone (390 px), and once in elder mode.

Every page visited is checked by `Journey.check` (conftest.py): no sideways scroll, no
untranslated message id, axe-core WCAG 2.1 A/AA without serious or critical violations, and a
screenshot in test-artifacts/browser/<journey>/<mode>/. Fields are found by their form names
and buttons by role and accessible name, so page layout changes do not break the journeys.
Skipped, with the reason, where Chromium or Playwright is missing; .ci/run installs both.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import browser_missing_reason

pytestmark = pytest.mark.skipif(bool(browser_missing_reason()), reason=browser_missing_reason() or "")

ALL_MODES = ["zh", "zh-phone", "en", "en-phone", "elder"]


def _button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def _file_request(j, page, *, title: str) -> tuple[str, str]:
    """A resident files a request on the public form; returns (tracking number, private link)."""
    j.go(page, "/hotline/", "file-form")
    page.locator("select[name=category]").select_option(index=1)
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", "家中老人行动不便，希望社区帮忙联系助餐服务。")
    page.fill("input[name=phone]", "13812345678")
    j.submit(page, _button(page, j.t("提交诉求", "Send my request")), "filed")
    number = page.locator(".filed-confirmation strong").first.inner_text().strip()
    link = page.locator(".private-link a").first.get_attribute("href")
    assert re.fullmatch(r"[A-Z0-9-]{6,16}", number), number
    return number, link


@pytest.mark.parametrize("mode", ALL_MODES)
def test_help_request_loop(journey, mode):
    """Resident files and tracks; the dispatcher dispatches; the street signs and answers; the
    resident rates the answer and sees the rating."""
    j = journey(mode)
    resident = j.new_page()
    j.go(resident, "/", "home")
    if j.mode.elder:
        _assert_elder_mode(resident)
    number, link = _file_request(j, resident, title="助餐服务")

    # Track it with the number and the last four digits of the phone.
    j.go(resident, "/hotline/track/", "track-form")
    resident.fill("input[name=tracking_number]", number)
    resident.fill("input[name=last4]", "5678")
    j.submit(resident, resident.locator("main form button[type=submit]").first, "tracked")
    body = resident.locator("main").inner_text()
    assert number in body and "助餐服务" in body
    assert "13812345678" not in resident.content()  # the full phone never shows publicly

    # The dispatcher (信息服务部) finds it on the desk and sends it to 南门街道.
    desk = j.new_page("staff_info")
    j.check(desk, "dispatcher-landing")
    j.go(desk, "/hotline/desk/", "desk")
    j.go(desk, f"/hotline/tickets/{number}/", "ticket-received")
    unit = desk.locator("select[name=unit]").first
    nanmen = unit.locator("option", has_text="南门街道").first.get_attribute("value")
    unit.select_option(nanmen)
    j.submit(desk, _button(desk, j.t("派单", "Dispatch")), "dispatched")

    # The street handler signs for it and answers.
    street = j.new_page("handler_nanmen")
    j.check(street, "handler-landing")
    j.go(street, "/hotline/unit/", "unit-queue")
    j.go(street, f"/hotline/tickets/{number}/", "ticket-dispatched")
    j.submit(street, _button(street, j.t("签收", "Sign for")), "signed")
    answer = street.locator("form", has=street.locator("#ans"))
    answer.locator("#ans").fill("已联系社区助餐点，每天中午送餐上门。")
    j.submit(street, answer.locator("button[type=submit]"), "answered")

    # The resident opens the private link, reads the answer and rates it.
    resident.goto(link if link.startswith("http") else j.url + link)
    j.check(resident, "answer-to-rate")
    assert "每天中午送餐上门" in resident.locator("main").inner_text()
    resident.locator("input[name=result][value=satisfied]").check()
    j.submit(resident, _button(resident, j.t("提交评价", "Send my rating")), "rated")
    assert resident.locator(".my-rating").count() == 1
    j.finish()


def _assert_elder_mode(page) -> None:
    """Elder mode: large text, large targets, one column (checked on the page shown)."""
    sizes = page.evaluate(
        """() => ({
          body: parseFloat(getComputedStyle(document.body).fontSize),
          h1: parseFloat(getComputedStyle(document.querySelector('h1')).fontSize),
          elder: document.documentElement.classList.contains('elder'),
        })"""
    )
    assert sizes["elder"], "elder mode is not on"
    assert sizes["body"] >= 18 and sizes["h1"] >= 24, sizes
    small = page.evaluate(
        """() => [...document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea')]
          .filter(el => el.offsetParent !== null && !el.closest('.skip-link, p, li, dd, td, small'))
          .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
          .filter(([, r]) => r.width < 44 || r.height < 44).map(([h]) => h)"""
    )
    assert not small, f"targets under 44×44 px: {small[:5]}"
