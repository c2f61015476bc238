"""Check one page with axe-core (WCAG 2.1 A/AA) the way the journeys do, from the command line.

    .venv/bin/python -m tests.browser.axe_page http://127.0.0.1:8000/hotline/
    .venv/bin/python -m tests.browser.axe_page http://127.0.0.1:8000/ventures/reviews/ --user reviewer1 --lang en --width 390 --elder

Prints every violation (all impacts) and exits 1 when one is serious or critical. Logs in
with the demo password when --user is given. Uses Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import urlsplit

from tests.browser.conftest import AXE_JS, AXE_RUN, AXE_TAGS, CHROMIUM, FAILING_IMPACTS, PASSWORD


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="axe-core check of one portal page")
    parser.add_argument("url")
    parser.add_argument("--user", help="demo username to log in as first")
    parser.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--elder", action="store_true", help="elder mode (长辈模式)")
    parser.add_argument("--screenshot", help="save a full-page PNG here")
    args = parser.parse_args(argv)
    parts = urlsplit(args.url)
    origin = f"{parts.scheme}://{parts.netloc}"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": args.width, "height": 900})
        cookies = [{"name": "django_language", "value": args.lang, "url": origin}]
        if args.elder:
            cookies.append({"name": "elder", "value": "1", "url": origin})
        ctx.add_cookies(cookies)
        page = ctx.new_page()
        if args.user:
            page.goto(origin + "/accounts/login/")
            page.fill("input[name=username]", args.user)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
        page.goto(args.url)
        page.add_script_tag(content=AXE_JS.read_text())
        violations = page.evaluate(AXE_RUN, AXE_TAGS)
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if args.screenshot:
            page.screenshot(path=args.screenshot, full_page=True)
        browser.close()
    print(
        f"{args.url} [{args.lang}, {args.width} px{', elder' if args.elder else ''}]: "
        f"{len(violations)} violation(s); page width {width[0]} px in a {width[1]} px window"
    )
    for v in violations:
        print(f"  {v['impact']:9} {v['id']}: {v['help']}")
        for n in v["nodes"]:
            print(f"            {n['target']}")
    return 1 if any(v["impact"] in FAILING_IMPACTS for v in violations) else 0


if __name__ == "__main__":
    sys.exit(main())
