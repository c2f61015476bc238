"""Browser journeys: one real portal process and one headless Chromium per test process.

The portal runs from its own SQLite file holding the demo data plus `seed.py` (built once per
test session, shared by the xdist workers through a lock); each journey starts from that
state again (SQLite backup API, milliseconds), so every language and width sees the same
pages. Every visited page is checked: no sideways scroll, no untranslated message id, axe-core
(WCAG 2.1 A/AA, serious and critical fail) once per page and mode, and a screenshot in
test-artifacts/browser/ (ignored by git).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser import server as portal_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = portal_server.ROOT
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", ROOT / "test-artifacts" / "browser"))
AXE_JS = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
PASSWORD = "demo12345"
SHOT_MAX_HEIGHT = 3000  # px: long lists are cut in screenshots (they are slow to encode)


def browser_missing_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    if not os.path.exists(CHROMIUM):
        return "Debian's chromium is not installed (.ci/run installs it)"
    return None


@dataclass(frozen=True)
class Mode:
    name: str
    language: str  # Django language code
    width: int
    height: int
    elder: bool = False

    @property
    def en(self) -> bool:
        return self.language == "en"

    def t(self, zh: str, en: str) -> str:
        """The text a user of this mode reads."""
        return en if self.en else zh


MODES = {
    "zh": Mode("zh", "zh-hans", 1366, 900),
    "zh-phone": Mode("zh-phone", "zh-hans", 390, 844),
    "en": Mode("en", "en", 1366, 900),
    "en-phone": Mode("en-phone", "en", 390, 844),
    "elder": Mode("elder", "zh-hans", 390, 844, elder=True),
}


# --- axe and text checks -------------------------------------------------------------------

AXE_RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200)}))}));
}"""

# English text left in the Chinese interface: a run of two or more English words in any text
# node or accessible attribute, outside elements that declare another language (lang="en",
# e.g. the language switch) and outside code. Placeholders left unformatted fail everywhere.
TEXT_PROBE = """() => {
  const out = [];
  const skip = el => el.closest('script,style,code,pre,noscript,[translate="no"],[lang]:not(html)');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode, el = n.parentElement;
    if (!el || skip(el)) continue;
    const t = n.textContent.replace(/\\s+/g, ' ').trim();
    if (t) out.push(t);
  }
  document.querySelectorAll('[aria-label],[title],[placeholder],img[alt],input[type=submit][value]').forEach(el => {
    if (skip(el)) return;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'value']) {
      if (a === 'value' && el.type !== 'submit') continue;
      const v = el.getAttribute(a); if (v) out.push(v);
    }
  });
  if (document.title) out.push(document.title);
  return out;
}"""
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ '’-]+[A-Za-z]{2,})+")
URL = re.compile(r"^(https?://|/)\S+$")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{|\{%|\{#")
# Proper names and standards that are English in both interfaces.
ALLOWED_ENGLISH = re.compile(
    r"^(Open311 GeoReport|GeoReport v2|Swagger UI|API docs?|chinese-calendar)$", re.I
)


def untranslated(texts: list[str], mode: Mode) -> list[str]:
    bad = []
    for text in texts:
        if URL.match(text):
            continue
        if PLACEHOLDER.search(text):
            bad.append(text)
        elif not mode.en and text in ("None", "True", "False"):  # a Python value leaked
            bad.append(text)
        elif not mode.en:
            runs = [r for r in ENGLISH_RUN.findall(text) if not ALLOWED_ENGLISH.match(r)]
            if runs:
                bad.append(text)
    return bad


def page_key(url: str) -> str:
    """One axe check per page, not per object: /hotline/tickets/H2026.../ -> /hotline/tickets/*/."""
    path = re.sub(r"^https?://[^/]+", "", url).split("#")[0]
    path, _, query = path.partition("?")
    path = re.sub(r"/[A-Z]*\d[\w-]*(?=/)", "/*", path)
    path = re.sub(r"/t/[^/]+/", "/t/*/", path)
    return path + ("?" + re.sub(r"=[^&]*", "", query) if query else "")


@dataclass
class AxeLedger:
    """What axe saw in this test process, written to the artifact folder at the end."""

    checked: dict[tuple[str, str], list] = field(default_factory=dict)

    def seen(self, key: str, mode: Mode) -> bool:
        return (key, mode.name) in self.checked

    def record(self, key: str, mode: Mode, violations: list) -> None:
        self.checked[(key, mode.name)] = violations

    def dump(self, path: Path) -> None:
        rows = [{"page": k, "mode": m, "violations": v} for (k, m), v in sorted(self.checked.items())]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1))


# --- the portal process ----------------------------------------------------------------------


class Portal:
    def __init__(self, template: Path, database: Path, facts: dict):
        self.template, self.database, self.facts = template, database, facts
        self.proc, self.url = portal_server.start(database)

    def reset(self) -> None:
        """Back to the demo + seed state, while the server keeps running."""
        src = sqlite3.connect(self.template)
        dst = sqlite3.connect(self.database, timeout=30)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        # The restored rows were written without signals: the shared caches go with them.
        shutil.rmtree(portal_server.cache_dir(self.database), ignore_errors=True)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except Exception:
            self.proc.kill()


WORKER = os.environ.get("PYTEST_XDIST_WORKER", "master")


def _shared_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base.parent if WORKER != "master" else base


def _template(shared: Path) -> Path:
    prebuilt = os.environ.get("JOURNEYS_TEMPLATE")  # a database built before by build_database
    return Path(prebuilt) if prebuilt else shared / "journeys-template.sqlite3"


def pytest_collection_modifyitems(session, config, items):
    """The journeys run last, so the demo database they need is built in the background while
    the rest of the suite runs (see pytest_collection_finish)."""
    here = Path(__file__).parent
    journeys = [i for i in items if Path(str(i.path)).parent == here and i.path.name == "test_journeys.py"]
    if journeys and len(journeys) < len(items):
        ids = {id(i) for i in journeys}
        items[:] = [i for i in items if id(i) not in ids] + journeys


def pytest_collection_finish(session):
    here = Path(__file__).parent
    if browser_missing_reason() or not any(Path(str(i.path)).parent == here for i in session.items):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    template = _template(_shared_dir(factory))
    marker = template.with_suffix(".started")
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # the first process starts it
    except FileExistsError:
        return
    os.close(fd)
    import subprocess
    import sys

    subprocess.Popen(
        [sys.executable, "-m", "tests.browser.server", "--build-only", "--database", str(template)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.fixture(scope="session")
def portal(tmp_path_factory):
    reason = browser_missing_reason()
    if reason and os.environ.get("BROWSER_JOURNEYS_REQUIRED"):
        pytest.fail(f"browser journeys are required here (.ci/run) but {reason}")
    if reason:
        pytest.skip(reason)
    template = _template(_shared_dir(tmp_path_factory))
    facts = portal_server.build_once(template)  # waits for the background build, if any
    database = tmp_path_factory.mktemp("portal") / "journeys.sqlite3"
    shutil.copyfile(template, database)
    p = Portal(template, database, facts)
    yield p
    p.stop()


@pytest.fixture(scope="session")
def chromium(portal):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--font-render-hinting=none",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_ledger():
    ledger = AxeLedger()
    yield ledger
    ledger.dump(ARTIFACTS / f"axe-{WORKER}.json")


# --- one journey in one mode -----------------------------------------------------------------


class Journey:
    """A person's way through the portal in one language/width/mode, checked at every step."""

    def __init__(self, *, chromium, portal: Portal, mode: Mode, name: str, ledger: AxeLedger):
        self.chromium, self.portal, self.mode, self.name, self.ledger = chromium, portal, mode, name, ledger
        self.url = portal.url
        self.shots = ARTIFACTS / name / mode.name
        shutil.rmtree(self.shots, ignore_errors=True)
        self.shots.mkdir(parents=True, exist_ok=True)
        self.step = 0
        self.contexts = []
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.axe_js = AXE_JS.read_text()

    def t(self, zh: str, en: str) -> str:
        return self.mode.t(zh, en)

    def new_page(self, user: str | None = None):
        """A fresh browser (no cookies but the language and elder mode), logged in as `user`."""
        ctx = self.chromium.new_context(
            viewport={"width": self.mode.width, "height": self.mode.height},
            locale="en-US" if self.mode.en else "zh-CN",
        )
        cookies = [{"name": "django_language", "value": self.mode.language, "url": self.url}]
        if self.mode.elder:
            cookies.append({"name": "elder", "value": "1", "url": self.url})
        ctx.add_cookies(cookies)
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(20000)
        page.on("dialog", lambda d: d.accept())  # data-confirm: the person says yes
        if user:
            self.log_in(page, user)
        return page

    def log_in(self, page, username: str) -> None:
        page.goto(self.url + "/accounts/login/")
        self.check(page, "login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "/accounts/login/" not in page.url, f"{username} could not log in"

    def go(self, page, path: str, label: str) -> None:
        page.goto(self.url + path)
        self.check(page, label)

    def submit(self, page, button, label: str) -> None:
        """Click a submit button and check the page it leads to."""
        with page.expect_navigation():
            button.click()
        self.check(page, label)

    def check(self, page, label: str) -> None:
        """Check the page shown now; problems are collected and reported by `finish`."""
        page.wait_for_load_state("load")
        at = f"{self.step + 1:02d} {label} {page_key(page.url)}"
        title = page.title()
        assert not title.startswith("Server Error"), f"{at}: the portal answered {title}"
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            self.problems.append(f"{at}: scrolls sideways ({width[0]} px > {width[1]} px)")
        bad = untranslated(page.evaluate(TEXT_PROBE), self.mode)
        if bad:
            # JOURNEYS_TEXT_CHECK=warn prints untranslated text instead of failing (catalogues
            # being filled in); everything else always fails.
            target = self.warnings if os.environ.get("JOURNEYS_TEXT_CHECK") == "warn" else self.problems
            target.append(f"{at}: untranslated text {bad[:8]}")
        lang = page.evaluate("document.documentElement.lang")
        if lang != ("en" if self.mode.en else "zh-CN"):
            self.problems.append(f"{at}: <html lang={lang!r}>")
        key = page_key(page.url)
        if not self.ledger.seen(key, self.mode):
            page.add_script_tag(content=self.axe_js)
            violations = page.evaluate(AXE_RUN, AXE_TAGS)
            self.ledger.record(key, self.mode, violations)
            for v in violations:
                if v["impact"] in FAILING_IMPACTS:
                    nodes = "; ".join(n["target"] for n in v["nodes"])
                    self.problems.append(f"{at}: axe {v['impact']} {v['id']} ({v['help']}) at {nodes}")
        self.step += 1
        slug = re.sub(r"[^\w-]+", "-", label)
        height = min(page.evaluate("document.documentElement.scrollHeight"), SHOT_MAX_HEIGHT)
        page.screenshot(
            path=str(self.shots / f"{self.step:02d}-{slug}.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": self.mode.width, "height": height},
            animations="disabled",
        )

    def finish(self) -> None:
        """Fail with every problem the checks found along the way."""
        for warning in self.warnings:
            print("warning:", warning)
        assert not self.problems, f"{self.name} [{self.mode.name}]:\n" + "\n".join(self.problems)

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def journey(request, chromium, portal, axe_ledger):
    """`journey(mode_name)` -> Journey on a portal reset to the demo + seed state."""
    made = []

    def make(mode_name: str) -> Journey:
        portal.reset()
        j = Journey(
            chromium=chromium,
            portal=portal,
            mode=MODES[mode_name],
            name=request.node.originalname,
            ledger=axe_ledger,
        )
        made.append(j)
        return j

    yield make
    for j in made:
        j.close()
