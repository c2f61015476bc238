"""The bench harness's seeding process (run by `benchmarks/run.py`, Django settings and
DATABASE_URL from the environment):

1. migrate, then `load_demo` (so the demo users that bench pages log in as exist);
2. every registered `BenchSeeder`, in order, with BENCH_SCALE — each in one transaction,
   recorded in the table `bench_seed_state` (seeder key, scale) so a re-run at the same
   scale skips it;
3. ANALYZE, so the planner sees the seeded volumes;
4. the plan: every registered `BenchPage` with its path resolved and, for pages that log
   in, a session cookie made with django.contrib.sessions for that user. The server must
   run with the same SECRET_KEY and database.

    python benchmarks/seed.py --scale 0.1 --plan var/bench/plan.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STATE_TABLE = "bench_seed_state"


def _say(msg: str) -> None:
    print(f"[seed] {msg}", flush=True)


def _state() -> dict[str, float]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} ("
            "key varchar(100) PRIMARY KEY, scale double precision NOT NULL, "
            "seconds double precision NOT NULL, seeded_at timestamp with time zone NOT NULL DEFAULT now())"
        )
        cur.execute(f"SELECT key, scale FROM {STATE_TABLE}")
        return {k: s for k, s in cur.fetchall()}


def recorded_scales() -> dict[str, float]:
    """Seeder key -> scale it was seeded at (for run.py's 'same scale?' decision)."""
    return _state()


def load_demo(scale: float) -> None:
    """`manage.py load_demo`, one loader at a time: a module whose loader is broken right
    now is reported and skipped instead of stopping the bench. A loader that succeeded
    once in this database is recorded ("demo:<key>") and not run again."""
    from center import registry

    done = _state()
    t0 = time.perf_counter()
    ran = []
    with open(os.devnull, "w") as devnull:
        for loader in registry.demo_loaders():
            if f"demo:{loader.key}" in done:
                continue
            t1 = time.perf_counter()
            try:
                loader.load(stdout=devnull)
            except Exception as exc:
                problem(f"demo loader {loader.key!r} failed: {type(exc).__name__}: {exc}")
                continue
            _record(f"demo:{loader.key}", scale, time.perf_counter() - t1)
            ran.append(loader.key)
    _say(f"demo data: {', '.join(ran) or 'already loaded'} ({time.perf_counter() - t0:.1f}s)")


def _record(key: str, scale: float, seconds: float) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {STATE_TABLE} (key, scale, seconds) VALUES (%s, %s, %s) "
            "ON CONFLICT (key) DO UPDATE SET scale = EXCLUDED.scale, seconds = EXCLUDED.seconds, "
            "seeded_at = now()",
            [key, scale, seconds],
        )


PROBLEMS: list[str] = []


def problem(msg: str) -> None:
    PROBLEMS.append(msg)
    _say("PROBLEM: " + msg)


def seed(scale: float) -> None:
    from django.db import connection, transaction

    from center import registry

    done = _state()
    seeded = False
    for seeder in registry.bench_seeders():
        if done.get(seeder.key) == scale:
            _say(f"{seeder.key}: already seeded at scale {scale:g}, skipped")
            continue
        _say(f"{seeder.key}: seeding at scale {scale:g} ...")
        t0 = time.perf_counter()
        try:
            with transaction.atomic():  # all or nothing, recorded with the data
                seeder.seed(scale)
                seconds = time.perf_counter() - t0
                _record(seeder.key, scale, seconds)
        except Exception as exc:
            problem(
                f"seeder {seeder.key!r} failed after {time.perf_counter() - t0:.1f}s, rolled back: "
                f"{type(exc).__name__}: {exc}"
            )
            continue
        _say(f"{seeder.key}: done in {seconds:.1f}s")
        seeded = True
    if seeded and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def session_cookie(username: str) -> str:
    """A logged-in session for `username`, as django.contrib.auth.login would store it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.utils.module_loading import import_string

    user = get_user_model().objects.get(username=username)
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def plan() -> list[dict]:
    """The registered pages, paths resolved now (after seeding), one session per login."""
    from center import registry

    cookies: dict[str, str] = {}
    pages = []
    for page in registry.bench_pages():
        try:
            path = page.path()
            login = page.login()
            if login and login not in cookies:
                cookies[login] = session_cookie(login)
        except Exception as exc:  # a page whose data is missing is reported, not fatal
            problem(f"page {page.name!r} skipped: {type(exc).__name__}: {exc}")
            continue
        pages.append(
            {"name": page.name, "path": path, "login": login, "cookie": cookies.get(login) if login else None}
        )
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--skip-setup", action="store_true", help="no migrate / load_demo")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "center.settings.production")
    import django

    django.setup()
    from django.core.management import call_command

    if not args.skip_setup:
        t0 = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        _say(f"migrated in {time.perf_counter() - t0:.1f}s")
        load_demo(args.scale)
    seed(args.scale)
    pages = plan()
    Path(args.plan).parent.mkdir(parents=True, exist_ok=True)
    Path(args.plan).write_text(
        json.dumps({"scale": args.scale, "pages": pages, "problems": PROBLEMS}, ensure_ascii=False, indent=1)
    )
    _say(f"{len(pages)} pages in the plan")
    return 0


if __name__ == "__main__":
    sys.exit(main())
