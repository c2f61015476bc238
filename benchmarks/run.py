"""`make bench`: seed PostgreSQL, serve the portal with gunicorn as in production, drive
every registered page from a separate load-generator process, print a table.

Steps (see benchmarks/README.md for the variables and the columns):
  1. create the bench database if missing (drop + recreate with BENCH_FRESH=1, or when it
     was seeded at another BENCH_SCALE);
  2. benchmarks/seed.py: migrate, load_demo, every BenchSeeder (skipped when already
     seeded at this scale), ANALYZE, and the plan (pages + session cookies);
  3. gunicorn center.wsgi with production settings and BENCH_QUERY_HEADER=1 on a free port;
  4. benchmarks/load.py (a second process) measures /bench/ping — the trivial view that is
     the machine's ceiling — and then every page;
  5. the table on stdout, benchmarks/results/latest.json and latest.md; gunicorn stopped.

Standard library only (plus psycopg2 to create the database).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
WORK = ROOT / "var" / "bench"
PY = sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/haishu_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
CEILING = {"name": "ceiling: trivial view", "path": "/bench/ping", "login": None, "cookie": None}
# Measured again after the pages: on a shared machine the two tell whether the capacity
# drifted during the run; ratios use their mean.
CEILING_AGAIN = dict(CEILING, name="ceiling, again at the end")


def say(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


# --- configuration ---------------------------------------------------------------------
def config() -> dict:
    env = os.environ
    cores = os.cpu_count() or 1
    return {
        "scale": float(env.get("BENCH_SCALE", "0.1")),
        "duration": float(env.get("BENCH_DURATION", "5")),
        "warmup": float(env.get("BENCH_WARMUP", "1")),
        "concurrency": int(env.get("BENCH_CONCURRENCY", "16")),
        "threads": int(env.get("BENCH_THREADS", "2")),
        "client": env.get("BENCH_CLIENT") or ("wrk" if wrk.available() else "python"),
        "workers": int(env.get("BENCH_WORKERS", str(2 * cores))),
        "fresh": env.get("BENCH_FRESH", "") in ("1", "true", "yes"),
        "only": [s for s in env.get("BENCH_ONLY", "").split(",") if s],
        "database_url": env.get("BENCH_DATABASE_URL") or env.get("DATABASE_URL") or DEFAULT_DB,
        "cores": cores,
    }


# --- database --------------------------------------------------------------------------
def _connect(url: str, dbname: str | None = None):
    import psycopg2

    u = urlparse(url)
    return psycopg2.connect(
        host=u.hostname or "127.0.0.1",
        port=u.port or 5432,
        user=unquote(u.username or "postgres"),
        password=unquote(u.password) if u.password else None,
        dbname=dbname or u.path.lstrip("/"),
        connect_timeout=5,
    )


def prepare_database(url: str, scale: float, fresh: bool) -> None:
    """Create the database if missing; drop and recreate it when asked to (BENCH_FRESH=1) or
    when it holds data seeded at another scale."""
    u = urlparse(url)
    if not u.scheme.startswith("postgres"):
        raise SystemExit(f"make bench needs PostgreSQL; DATABASE_URL is {u.scheme}://…")
    name = u.path.lstrip("/")
    admin = _connect(url, "postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cur.fetchone() is not None
        if exists and not fresh:
            conn = _connect(url)
            try:
                with conn.cursor() as cur:
                    cur.execute("SELECT to_regclass('bench_seed_state') IS NOT NULL")
                    scales = set()
                    if cur.fetchone()[0]:
                        cur.execute("SELECT DISTINCT scale FROM bench_seed_state")
                        scales = {row[0] for row in cur.fetchall()}
            finally:
                conn.close()
            if scales - {scale}:
                say(f"database {name} was seeded at scale {sorted(scales)}, not {scale:g}: recreating it")
                fresh = True
        if exists and fresh:
            say(f"dropping database {name}")
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            say(f"creating database {name}")
            with admin.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()


def database_facts(url: str) -> dict:
    conn = _connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW server_version")
            version = cur.fetchone()[0]
            cur.execute(
                "SELECT key, scale, round(seconds::numeric, 1) FROM bench_seed_state ORDER BY seeded_at"
            )
            seeded = [{"key": k, "scale": s, "seconds": float(sec)} for k, s, sec in cur.fetchall()]
            cur.execute(
                "SELECT relname, n_live_tup FROM pg_stat_user_tables "
                "WHERE relname NOT LIKE '%%historical%%' ORDER BY n_live_tup DESC LIMIT 8"
            )
            largest = {name: n for name, n in cur.fetchall()}
            cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = cur.fetchone()[0]
        return {"postgresql": version, "seeded": seeded, "largest_tables": largest, "size": size}
    finally:
        conn.close()


# --- cache -----------------------------------------------------------------------------
def redis_ready(url: str) -> bool:
    """PING the Redis named by `url` and empty its database (it is the bench's own)."""
    u = urlparse(url)
    db = u.path.lstrip("/") or "0"
    try:
        with socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=1) as s:
            s.sendall(f"PING\r\nSELECT {db}\r\nFLUSHDB\r\n".encode())
            s.settimeout(1)
            data = b""
            while data.count(b"\r\n") < 3:
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
        return data.startswith(b"+PONG")
    except OSError:
        return False


# --- server ----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(
    port: int, proc: subprocess.Popen, workers: int, ready_dir: Path, timeout: float = 120
) -> dict:
    """Wait until every gunicorn worker has loaded the portal and /healthz answers."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline and len(list(ready_dir.iterdir())) < workers:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {WORK / 'gunicorn.log'}")
        time.sleep(0.2)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {WORK / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer /healthz within {timeout:.0f}s ({last})")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown of master and workers
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def workers_rss_mb(master_pid: int) -> dict[int, float]:
    """Resident memory (MB) of each gunicorn worker, i.e. each child of the master, by pid."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmRSS" in fields:
            out[int(entry.name)] = round(int(fields["VmRSS"].split()[0]) / 1024, 1)
    return out


# --- report ----------------------------------------------------------------------------
COLUMNS = ["name", "URL", "req/s", "p50 ms", "p95 ms", "p99 ms", "queries", "cold", "% of ceiling", "errors"]


def _n(q) -> str:
    return "—" if q is None else (f"{q:g}" if q == int(q) else f"{q:.1f}")


def rows(results: list[dict], ceiling_rps: float) -> list[list[str]]:
    out = []
    for r in results:
        q = r["queries_per_request"]
        errors = str(r["errors"])
        if r["errors"]:
            bad = {k: v for k, v in r["statuses"].items() if not k.startswith("2")}
            bad.update(r["failures"])
            errors += " " + ",".join(f"{k}×{v}" for k, v in bad.items())
        out.append(
            [
                r["name"] + (f" [{r['login']}]" if r.get("login") else ""),
                r["path"],
                f"{r['rps']:.1f}",
                f"{r['p50_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                f"{r.get('p99_ms', 0):.1f}",
                _n(q),
                _n(r.get("queries_cold", q)),
                f"{100 * r['rps'] / ceiling_rps:.1f}%" if ceiling_rps else "—",
                errors,
            ]
        )
    return out


def text_table(table: list[list[str]]) -> str:
    widths = [max(len(COLUMNS[i]), *(len(row[i]) for row in table)) for i in range(len(COLUMNS))]
    numeric = {2, 3, 4, 5, 6, 7, 8}

    def fmt(row):
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    lines = [fmt(COLUMNS), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in table]
    return "\n".join(lines)


def markdown(table: list[list[str]], meta: dict) -> str:
    head = [
        "# Benchmark results",
        "",
        f"{meta['date']} · commit {meta['commit']} · BENCH_SCALE={meta['scale']:g} · "
        f"{meta['duration']:g}s per URL after {meta['warmup']:g}s warm-up · client {meta.get('client', 'python')}, "
        f"{meta['concurrency']} connections · "
        f"gunicorn {meta['workers']} sync workers · {meta['cores']} CPU cores "
        f"(load average {' '.join(map(str, meta['load_average_before']))} before measuring) · "
        f"PostgreSQL {meta['database']['postgresql']} ({meta['database']['size']}) · cache {meta['cache']}",
        "",
        "Seeded: "
        + (", ".join(f"{s['key']} ({s['seconds']:g}s)" for s in meta["database"]["seeded"]) or "none"),
        "",
        "Largest tables: " + ", ".join(f"{k} {v:,}" for k, v in meta["database"]["largest_tables"].items()),
        "",
        *(
            [
                f"gunicorn workers' memory after the bench (RSS): {', '.join(f'{m:g} MB' for m in meta['worker_rss_mb'])}",
                "",
            ]
            if meta.get("worker_rss_mb")
            else []
        ),
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" if i < 2 else "---:" for i in range(len(COLUMNS))) + "|",
    ]
    body = ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in table]
    tail = ["", "Problems:", *(f"- {p}" for p in meta["problems"])] if meta["problems"] else []
    if meta.get("warning"):
        tail += ["", f"Warning: {meta['warning']}."]
    return "\n".join(head + body + tail) + "\n"


def git_commit() -> str:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5
            ).stdout.strip()
            or "?"
        )
    except OSError:
        return "?"


# --- main ------------------------------------------------------------------------------
def main() -> int:
    cfg = config()
    started = time.monotonic()
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)

    lock = open(WORK / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say("another make bench is running on this machine; waiting for it")
        fcntl.flock(lock, fcntl.LOCK_EX)

    prepare_database(cfg["database_url"], cfg["scale"], cfg["fresh"])

    cache_url = os.environ.get("BENCH_CACHE_URL") or os.environ.get("CACHE_URL")
    if not cache_url:
        cache_url = DEFAULT_REDIS if redis_ready(DEFAULT_REDIS) else "locmemcache://bench"
    elif cache_url.startswith("redis"):
        redis_ready(cache_url)

    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS", "center.settings.production"),
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or "bench-" + secrets.token_urlsafe(48),
            "DATABASE_URL": cfg["database_url"],
            "CACHE_URL": cache_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            # Its own broker folder and media: nothing queued here reaches the dev worker.
            "VAR_DIR": str(WORK),
            "STATIC_ROOT": os.environ.get("STATIC_ROOT", str(ROOT / "var" / "static")),
            "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "filesystem://"),
            # Throttling stays on (its cost is real) but never refuses the load generator.
            "API_THROTTLE_ANON": "100000/s",
            "API_THROTTLE_USER": "100000/s",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            # Demo loaders notify people; the bench sends no mail and prints none.
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("BENCH_QUERY_HEADER", None)
    env.pop("EMAIL_URL", None)

    plan_path = WORK / "plan.json"
    say(f"seeding at BENCH_SCALE={cfg['scale']:g} into {urlparse(cfg['database_url']).path.lstrip('/')}")
    t0 = time.monotonic()
    seeding = subprocess.run(
        [PY, str(HERE / "seed.py"), "--scale", str(cfg["scale"]), "--plan", str(plan_path)], cwd=ROOT, env=env
    )
    if seeding.returncode != 0:
        raise SystemExit(
            f"[bench] seeding failed (exit {seeding.returncode}, traceback above); nothing measured"
        )
    seed_seconds = time.monotonic() - t0
    seeded_plan = json.loads(plan_path.read_text())
    pages, problems = seeded_plan["pages"], seeded_plan.get("problems", [])
    if cfg["only"]:
        pages = [p for p in pages if any(s in p["name"] or s in p["path"] for s in cfg["only"])]
    plan_path.write_text(
        json.dumps({"pages": [CEILING, *pages, CEILING_AGAIN]}, ensure_ascii=False, indent=1)
    )

    port = free_port()
    ready_dir = WORK / "ready"
    shutil.rmtree(ready_dir, ignore_errors=True)
    ready_dir.mkdir()
    server_env = dict(env, BENCH_QUERY_HEADER="1", BENCH_READY_DIR=str(ready_dir))
    log = open(WORK / "gunicorn.log", "w")
    say(f"gunicorn: {cfg['workers']} workers on 127.0.0.1:{port}, cache {cache_url}")
    server = subprocess.Popen(
        [
            GUNICORN,
            "center.wsgi:application",
            "--workers",
            str(cfg["workers"]),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--backlog",
            "2048",
            "--config",
            str(HERE / "gunicorn_conf.py"),
        ],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    results: list[dict] = []
    worker_rss: list[float] = []
    load_before: list[float] = []
    try:
        health = wait_healthy(port, server, cfg["workers"], ready_dir)
        load_before = [round(x, 2) for x in os.getloadavg()]
        say(f"/healthz: {health}")
        say(
            f"measuring {len(pages) + 1} URLs, {cfg['warmup']:g}s warm-up + {cfg['duration']:g}s each, "
            f"{cfg['client']} with {cfg['concurrency']} connections"
        )
        load = subprocess.Popen(
            [
                PY,
                str(HERE / "load.py"),
                "--port",
                str(port),
                "--plan",
                str(plan_path),
                "--duration",
                str(cfg["duration"]),
                "--concurrency",
                str(cfg["concurrency"]),
                "--warmup",
                str(cfg["warmup"]),
                "--client",
                cfg["client"],
                "--threads",
                str(cfg["threads"]),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        first_ceiling = 0.0
        for line in load.stdout:
            r = json.loads(line)
            results.append(r)
            q = r["queries_per_request"]
            if r["path"] == CEILING["path"] and not first_ceiling:
                first_ceiling = r["rps"]
            share = f"{100 * r['rps'] / first_ceiling:.1f}% of the ceiling, " if first_ceiling else ""
            say(
                f"  {r['path']}: {r['rps']:.1f} req/s, p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
                f"p99 {r.get('p99_ms', 0):.1f} ms, {share}{'—' if q is None else q} queries, {r['errors']} errors"
            )
        if load.wait() != 0:
            raise SystemExit(f"the load generator failed ({load.returncode})")
        worker_rss = sorted(workers_rss_mb(server.pid).values())
        say(f"gunicorn workers' memory after the bench (RSS): {worker_rss} MB")
    finally:
        stop(server)
        log.close()
        say(f"gunicorn stopped (exit {server.returncode})")

    ceilings = [r["rps"] for r in results if r["path"] == CEILING["path"]]
    ceiling_rps = sum(ceilings) / len(ceilings) if ceilings else 0.0
    for r in results:
        r["ratio_to_ceiling"] = round(r["rps"] / ceiling_rps, 3) if ceiling_rps else None
    meta = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "scale": cfg["scale"],
        "duration": cfg["duration"],
        "warmup": cfg["warmup"],
        "concurrency": cfg["concurrency"],
        "client": cfg["client"],
        "threads": cfg["threads"],
        "worker_rss_mb": worker_rss,
        "workers": cfg["workers"],
        "cores": cfg["cores"],
        "python": platform.python_version(),
        "ceiling_rps": round(ceiling_rps, 1),
        "load_average_before": load_before,
        "cache": cache_url.split("://")[0],
        "database": database_facts(cfg["database_url"]),
        "seed_seconds": round(seed_seconds, 1),
        "problems": problems,
    }
    table = rows(results, ceiling_rps)
    print()
    print(text_table(table))
    print()
    for p in problems:
        say("PROBLEM: " + p)
    if len(ceilings) == 2 and min(ceilings) < 0.75 * max(ceilings):
        meta["warning"] = (
            f"the ceiling moved from {ceilings[0]:.0f} to {ceilings[1]:.0f} req/s during the run: "
            "something else was using the machine, so these figures are noisy"
        )
        say("WARNING: " + meta["warning"])
    (RESULTS / "latest.json").write_text(
        json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1)
    )
    (RESULTS / "latest.md").write_text(markdown(table, meta))
    (RESULTS / f"scale-{cfg['scale']:g}.md").write_text(markdown(table, meta))  # the last run at this scale
    say(
        f"written {RESULTS.relative_to(ROOT)}/latest.json, latest.md and scale-{cfg['scale']:g}.md; total {time.monotonic() - started:.0f}s"
    )
    return 1 if problems or any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
