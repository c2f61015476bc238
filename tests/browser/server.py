"""A real portal process for the browser journeys and the one-page accessibility check.

`build_database(path)` migrates a fresh SQLite file and loads the demo data (what a user sees
after `make run`); `serve(port)` serves it with Django's threaded WSGI server and the static
files from the finders (no collectstatic needed). Run as a module to serve by hand:

    .venv/bin/python -m tests.browser.server --port 8765 [--database var/journeys.sqlite3]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.browser.settings"


def cache_dir(database: Path) -> Path:
    """The portal's cache (a folder beside its database), emptied with each reset."""
    return database.with_name(database.name + ".cache")


def server_env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL=f"sqlite:///{database}",
        CELERY_BROKER_URL="memory://",
        PYTHONPATH=str(ROOT),
        JOURNEYS_CACHE_DIR=str(cache_dir(database)),
    )
    return env


def build_database(database: Path) -> dict:
    """Migrate a new SQLite file, load the demo data and the journeys' seed into it; return
    what the seed made (usernames and ids the journeys need)."""
    database.parent.mkdir(parents=True, exist_ok=True)
    tmp = database.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    env = server_env(tmp)
    for args in (["compile_translations"], ["migrate", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    seeded = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from tests.browser import seed; seed.main()"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    tmp.replace(database)
    return json.loads(seeded.stdout.strip().splitlines()[-1])


def build_once(template: Path) -> dict:
    """Build `template` unless it exists, holding a lock beside it so that several test
    processes (xdist workers, the background build) build it once; return the seed's facts."""
    import fcntl

    facts_file = template.with_suffix(".json")
    with open(template.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template.exists() and facts_file.exists()):
            facts_file.write_text(json.dumps(build_database(template)))
    return json.loads(facts_file.read_text())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(database: Path, port: int | None = None, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Start the portal on `database` in a child process; return it and its base URL."""
    port = port or free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.browser.server",
            "--port",
            str(port),
            "--database",
            str(database),
            "--child",
        ],
        cwd=ROOT,
        env=server_env(database),
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the portal process exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)  # noqa: S310 (loopback only)
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"the portal did not answer within {timeout} s")


def _serve(port: int) -> None:
    import django

    django.setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):  # the journeys' output stays readable
            pass

    httpd = ThreadedWSGIServer(("127.0.0.1", port), QuietHandler)
    httpd.daemon_threads = True
    httpd.set_app(StaticFilesHandler(get_wsgi_application()))
    httpd.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", type=Path, default=ROOT / "var" / "journeys.sqlite3")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build-only", action="store_true", help="build the database and exit")
    args = parser.parse_args()
    if args.build_only:
        build_once(args.database)
        return
    if args.child:
        _serve(args.port)
        return
    if not args.database.exists():
        print(f"building {args.database} (migrate + demo data)…", flush=True)
        build_database(args.database)
    os.environ.update(server_env(args.database))
    print(f"serving http://127.0.0.1:{args.port}", flush=True)
    _serve(args.port)


if __name__ == "__main__":
    main()
