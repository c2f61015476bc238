"""The bench harness measures what a server really does: the load generator against a real
HTTP server in a thread, and the plan's session cookies against the portal."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks import load, run, seed, wrk


class _Server:
    """A keep-alive HTTP/1.1 server that answers like the bench server: a body and an
    X-Query-Count header; /missing is a 404. It counts requests and client connections."""

    def __init__(self):
        state = self
        self.requests = 0
        self.clients: set[tuple] = set()
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                with state.lock:
                    state.requests += 1
                    state.clients.add(self.client_address)
                status = 404 if self.path == "/missing" else 200
                body = b"hello bench"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Query-Count", "3")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_load_generator_counts_every_request_and_reads_the_query_header():
    with _Server() as server:
        result = load.measure("127.0.0.1", server.port, "/page", duration=1.0, concurrency=4)

    assert result["requests"] > 50
    assert result["requests"] == server.requests  # no warm-up: every answered request counted
    assert 0.9 <= result["seconds"] < 2.0
    assert result["rps"] == pytest.approx(result["requests"] / result["seconds"], rel=0.01)
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
    assert result["queries_per_request"] == 3
    assert result["queries_max"] == 3
    assert result["statuses"] == {"200": result["requests"]}
    assert result["errors"] == 0
    assert result["bytes_per_response"] == len(b"hello bench")
    # Keep-alive: four threads, four connections, however many requests.
    assert len(server.clients) == 4


def test_load_generator_reports_error_statuses_and_refused_connections():
    with _Server() as server:
        result = load.measure("127.0.0.1", server.port, "/missing", duration=0.3, concurrency=2)
        port = server.port
    assert result["requests"] > 0
    assert result["errors"] == result["requests"]
    assert result["statuses"] == {"404": result["requests"]}

    refused = load.measure("127.0.0.1", port, "/", duration=0.2, concurrency=1)  # server gone
    assert refused["errors"] > 0
    assert refused["failures"] == {"ConnectionRefusedError": refused["errors"]}


def test_warm_up_requests_are_not_counted():
    with _Server() as server:
        result = load.measure("127.0.0.1", server.port, "/", duration=0.5, concurrency=2, warmup=0.5)
    assert 0 < result["requests"] < server.requests


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile([7.0], 95) == 7
    assert load.percentile([], 50) == 0


def test_table_shows_ratio_to_the_ceiling_and_error_statuses():
    base = {"login": None, "p50_ms": 1.0, "p95_ms": 2.0, "statuses": {"200": 10}, "failures": {}}
    results = [
        {
            **base,
            "name": "ceiling",
            "path": "/bench/ping",
            "rps": 2000.0,
            "queries_per_request": 0.0,
            "errors": 0,
        },
        {
            **base,
            "name": "page",
            "path": "/p/",
            "rps": 500.0,
            "queries_per_request": 4.5,
            "queries_cold": 12,
            "errors": 2,
            "statuses": {"200": 8, "404": 2},
            "login": "admin",
        },
    ]
    results[1]["p99_ms"] = 3.0
    table = run.rows(results, 2000.0)
    assert table[0][8] == "100.0%"
    assert table[0][6:8] == ["0", "0"]  # no cold count: the same as the warm one
    assert table[1] == ["page [admin]", "/p/", "500.0", "1.0", "2.0", "3.0", "4.5", "12", "25.0%", "2 404×2"]
    text = run.text_table(table)
    assert "% of ceiling" in text.splitlines()[0]
    assert "p99 ms" in text.splitlines()[0]


@pytest.mark.django_db
def test_plan_session_cookie_logs_the_user_in(client, staff):
    cookie = seed.session_cookie(staff.username)
    name, key = cookie.split("=", 1)

    client.cookies[name] = key
    response = client.get("/workbench/")

    assert response.status_code == 200
    assert response.wsgi_request.user == staff


@pytest.mark.skipif(
    not wrk.available(), reason="wrk is not installed (Debian package wrk; make bench installs it)"
)
def test_wrk_counts_requests_reads_percentiles_and_the_query_header():
    with _Server() as server:
        result = wrk.measure(
            "127.0.0.1", server.port, "/page", duration=1.0, concurrency=4, threads=2, warmup=0
        )

    assert result["client"] == "wrk"
    assert result["requests"] > 50
    assert result["requests"] <= server.requests  # plus the probe request
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert result["queries_per_request"] == 3
    assert result["errors"] == 0
    assert result["statuses"] == {"200": result["requests"]}


@pytest.mark.skipif(
    not wrk.available(), reason="wrk is not installed (Debian package wrk; make bench installs it)"
)
def test_wrk_reports_error_statuses():
    with _Server() as server:
        result = wrk.measure(
            "127.0.0.1", server.port, "/missing", duration=1, concurrency=2, threads=1, warmup=0
        )
    assert result["requests"] > 0
    assert result["errors"] == result["requests"]
    assert result["statuses"] == {"404": result["requests"]}


def test_worker_memory_is_read_from_proc_for_the_children_of_a_process():
    import os
    import subprocess
    import sys

    # The child holds 40 MB and says so before it is measured: a process read just after exec
    # (or another child of this test worker) must not decide the result. It waits on its stdin,
    # not on a timer: under libfaketime (make test-dates) time.sleep fails with EINVAL.
    script = "import sys; b = bytearray(40 * 2**20); print('ready', flush=True); sys.stdin.read()"
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        rss = run.workers_rss_mb(os.getpid())
        not_a_child = run.workers_rss_mb(child.pid)
    finally:
        child.kill()
        child.wait()
    assert child.pid in rss
    assert 40 <= rss[child.pid] < 1000
    assert not_a_child == {}
