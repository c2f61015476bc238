"""Each role's main journey in a real headless Chromium (Debian's package), in Chinese and in
English, on a desktop (1366 px) and a phone (390 px), and once in elder mode.

Every page visited is checked by `Journey.check` (conftest.py): no sideways scroll, no
untranslated message id, axe-core WCAG 2.1 A/AA without serious or critical violations, and a
screenshot in test-artifacts/browser/<journey>/<mode>/. Fields are found by their form names
and buttons by role and accessible name, so page layout changes do not break the journeys.
Skipped, with the reason, where Chromium or Playwright is missing; .ci/run installs both.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.browser.conftest import browser_missing_reason

pytestmark = pytest.mark.skipif(
    bool(browser_missing_reason()) and not os.environ.get("BROWSER_JOURNEYS_REQUIRED"),
    reason=browser_missing_reason() or "",
)

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
    street.locator("#ans").fill("已联系社区助餐点，每天中午送餐上门。")
    j.submit(street, _button(street, j.t("答复", "Answer")), "answered")

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
          .filter(el => el.offsetParent !== null && !el.matches("input[type=checkbox], input[type=radio]") && !el.closest(".skip-link, p, dd, td, small, .visually-hidden, [aria-hidden=true]") && el.tabIndex >= 0)
          .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
          .filter(([, r]) => r.width < 44 || r.height < 44).map(([h]) => h)"""
    )
    assert not small, f"targets under 44×44 px: {small[:5]}"


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus; every stop shows a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """(sel) => {
              const el = document.activeElement, cs = getComputedStyle(el);
              const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) || cs.boxShadow !== 'none';
              return {hit: el.matches(sel), ring, what: el.outerHTML.slice(0, 80)};
            }""",
            selector,
        )
        assert state["ring"], f"no visible focus on {state['what']}"
        if state["hit"]:
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("mode", ["zh"])
def test_keyboard_only_files_and_tracks_a_request(journey, mode):
    """No mouse: skip link, the filing form, the confirmation's private link, the tracking form."""
    j = journey(mode)
    page = j.new_page()
    page.goto(j.url + "/hotline/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")  # to the main content: the next Tab is inside <main>
    _tab_to(page, "select[name=category]")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "input[name=title]")
    page.keyboard.type("轮椅借用")
    _tab_to(page, "textarea[name=description]")
    page.keyboard.type("父亲术后需要借用轮椅一个月。")
    _tab_to(page, "input[name=phone]")
    page.keyboard.type("13912345678")
    _tab_to(page, "main form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    j.check(page, "filed-by-keyboard")
    number = page.locator(".filed-confirmation strong").first.inner_text().strip()
    # Follow the private link from the keyboard.
    _tab_to(page, ".private-link a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert number in page.locator("main").inner_text()
    # And track with the number and the phone's last four digits.
    page.goto(j.url + "/hotline/track/")
    _tab_to(page, "input[name=tracking_number]")
    page.keyboard.type(number)
    _tab_to(page, "input[name=last4]")
    page.keyboard.type("5678")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    j.check(page, "tracked-by-keyboard")
    assert number in page.locator("main").inner_text()
    j.finish()


def test_header_switches_language_and_elder_mode(journey):
    """The language switch names each language in its own language; elder mode is one click,
    applies at once, and is remembered on the next page."""
    j = journey("zh")
    page = j.new_page()
    page.goto(j.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    switch = page.locator("header button[name=language]")
    assert switch.inner_text() == "English" and switch.get_attribute("lang") == "en"
    with page.expect_navigation():
        switch.click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "Haishu District Social Organization Service Center"
    back = page.locator("header button[name=language]")
    assert back.inner_text() == "中文" and back.get_attribute("lang") == "zh-CN"
    toggle = page.locator("header [data-elder-toggle]")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert toggle.get_attribute("aria-pressed") == "true"
    with page.expect_navigation():
        back.click()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.goto(j.url + "/hotline/")  # the server renders the next page enlarged already
    assert page.evaluate("document.documentElement.className") == "elder"
    assert page.locator("header [data-elder-toggle]").get_attribute("aria-pressed") == "true"
    j.check(page, "elder-file-form")
    _assert_elder_mode(page)
    # Focus on the dark-red header is a white ring.
    page.locator("header a.brand").focus()
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert ring == "rgb(255, 255, 255)", ring
    j.finish()


def _fill_visible_form(page, form) -> None:
    """Fill the empty visible fields of `form` with plausible values (numbers, text, dates)."""
    for field in form.locator("input:visible, textarea:visible").all():
        kind = (field.get_attribute("type") or "text").lower()
        if kind in ("hidden", "submit", "button", "checkbox", "radio", "file") or field.input_value():
            continue
        if kind == "number" or (field.get_attribute("inputmode") or "") in ("decimal", "numeric"):
            field.fill("12")
        elif kind == "date":
            field.fill("2027-03-01")
        elif kind == "email":
            field.fill("contact@example.org")
        elif kind == "tel" or "phone" in (field.get_attribute("name") or ""):
            field.fill("0574-87654321")
        else:
            field.fill("面向社区困境家庭开展陪伴与支持服务")


@pytest.mark.parametrize("mode", ALL_MODES)
def test_organization_profile_report_and_application(journey, mode):
    """An organization edits its profile, files its annual report and applies with a budget."""
    j = journey(mode)
    page = j.new_page("org_stars")
    j.check(page, "organization-landing")
    j.go(page, "/organizations/mine/", "my-organizations")
    j.go(page, "/organizations/1/manage/", "manage")
    j.go(page, "/organizations/1/edit/", "profile-form")
    form = page.locator("main form").filter(has=page.locator("textarea, input[type=text]")).first
    j.submit(page, form.locator("button[type=submit]").first, "profile-saved")
    assert page.locator("main .form-errors, main .has-error").count() == 0

    j.go(page, "/organizations/reports/286/", "annual-report")
    form = page.locator("main form").filter(has=page.locator("textarea")).first
    _fill_visible_form(page, form)
    j.submit(page, form.locator("button[type=submit]").first, "annual-report-saved")
    assert page.locator("main .has-error").count() == 0, page.locator("main .has-error").all_inner_texts()

    j.go(page, "/ventures/", "venture-calls")
    j.go(page, "/ventures/rounds/2/apply/", "application-form")
    form = page.locator("main form").first
    for select in form.locator("select:visible").all():
        if not select.input_value():
            select.select_option(index=1)
    _fill_visible_form(page, form)
    form.locator("input[name=requested_amount]").fill("20000")
    for name, text in (("milestones_text", "3 ; 完成需求调研"), ("team_text", "陈静 ; 项目负责人，社工师")):
        box = form.locator(f"textarea[name={name}]")
        if box.count():
            box.fill(text)
    form.locator("input[name=co_funding]").fill("0")
    items = form.locator("input[name$=-item]")
    amounts = form.locator("input[name$=-amount]")
    for i, (item, amount) in enumerate([("场地租赁", "12,000"), ("志愿者培训", "8,000")]):
        items.nth(i).fill(item)
        amounts.nth(i).fill(amount)
    for i in range(2, items.count()):
        items.nth(i).fill("")
        amounts.nth(i).fill("")
    j.submit(page, _button(page, j.t("保存草稿", "Save draft")), "application-saved")
    assert page.locator("main .has-error").count() == 0, page.locator("main .has-error").all_inner_texts()
    assert "20,000" in page.locator("main").inner_text()  # the budget's total (合计) shows
    j.finish()


@pytest.mark.parametrize("mode", ALL_MODES)
def test_reviewer_scores_with_confirmation(journey, mode):
    """A reviewer scores every criterion and submits after confirming."""
    j = journey(mode)
    facts = j.portal.facts
    page = j.new_page(facts["pending_reviewer"])
    j.check(page, "reviewer-landing")
    j.go(page, "/ventures/reviews/", "my-reviews")
    page.locator("main table a[href*='/ventures/reviews/']").first.click()
    page.wait_for_load_state()
    j.check(page, "review-form")
    for score in page.locator("main input[name^=score_]").all():
        score.fill("85")
    dialogs = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    j.submit(page, _button(page, j.t("提交评审", "Submit review")), "review-submitted")
    assert dialogs, "submitting a review asks for confirmation first"
    assert page.locator("main .has-error, main .form-errors").count() == 0
    j.finish()


@pytest.mark.parametrize("mode", ALL_MODES)
def test_staff_screen_rank_and_award(journey, mode):
    """Project staff screen an application, send it to review, then rank the round and award."""
    j = journey(mode)
    facts = j.portal.facts
    page = j.new_page("staff_projects")
    j.check(page, "staff-landing")
    j.go(page, "/ventures/manage/", "ventures-manage")
    j.go(page, "/ventures/manage/applications/94/screen/", "screening")
    page.locator("input[name=decision][value=eligible]").check()
    page.fill("textarea[name=reason]", "材料齐全，符合申报条件。")
    j.submit(page, page.locator("main form button[type=submit]").first, "screened")
    j.go(page, "/ventures/applications/94/", "application-eligible")
    j.submit(page, _button(page, j.t("分配评审专家", "Assign reviewers")), "reviewers-assigned")
    j.go(page, f"/ventures/manage/rounds/{facts['round']}/ranking/", "ranking")
    if j.mode.en:  # Chinese project and organization names are marked as Chinese for screen readers
        assert page.locator("main [lang=zh-CN]").count() > 0
    j.go(page, f"/ventures/applications/{facts['reviewed_application']}/", "application-reviewed")
    award = page.locator("main form", has=page.locator("input[name=amount]")).first
    award.locator("input[name=amount]").fill("50000")
    j.submit(page, award.locator("button[type=submit]"), "awarded")
    assert page.locator("main .has-error, main .form-errors").count() == 0
    j.finish()


REFLOW_PAGES = {
    None: [
        "/",
        "/hotline/",
        "/hotline/track/",
        "/organizations/",
        "/organizations/1/",
        "/ventures/",
        "/announcements/",
    ],
    "staff_projects": [
        "/workbench/",
        "/ventures/manage/",
        "/ventures/manage/rounds/2/ranking/",
        "/ventures/applications/93/",
    ],
    "staff_info": ["/hotline/desk/", "/hotline/statistics/"],
}


@pytest.mark.parametrize(
    "viewport",
    [
        pytest.param({"width": 320, "height": 640, "scale": 1}, id="320px"),
        pytest.param({"width": 640, "height": 400, "scale": 2}, id="1280px-at-200pct-zoom"),
    ],
)
def test_reflow_without_sideways_scrolling(chromium, portal, viewport):
    """WCAG 1.4.10: at 320 CSS px (a 1280 px window at 400%, a phone) and at 200% zoom nothing
    is cut off or needs sideways scrolling; wide tables scroll inside their own box."""
    portal.reset()
    wide = []
    for user, paths in REFLOW_PAGES.items():
        ctx = chromium.new_context(
            viewport={"width": viewport["width"], "height": viewport["height"]},
            device_scale_factor=viewport["scale"],
        )
        page = ctx.new_page()
        if user:
            page.goto(portal.url + "/accounts/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", "demo12345")
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
        for path in paths:
            page.goto(portal.url + path)
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1]:
                wide.append(f"{path} ({user or 'public'}): {width[0]} px in {width[1]} px")
        ctx.close()
    assert not wide, wide
