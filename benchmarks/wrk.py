"""The bench's load generator: `wrk` (the Debian package), driven per URL.

wrk is a C event-loop client: on a 2-core machine it saturates the server where a Python
client saturates itself first (Python threads measured a ceiling near half of wrk's). For
each URL:

1. one plain request (urllib) reads the status and the `X-Query-Count` header: the page's
   queries on a cold cache (constant per page; the tests keep them so);
2. `wrk` for the warm-up seconds (not counted), then `wrk` for the measured seconds with a
   small Lua script whose `done()` prints the latency percentiles and the error counters
   as one JSON line;
3. one plain request again: the queries of a page served under load (its shared caches
   filled), which is what the measured requests issued.

`measure()` returns the same keys as `benchmarks.load.measure`, so run.py and the table do
not care which client measured.

Standard library only (plus the `wrk` binary).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

# wrk calls done() once, in the main thread, after every thread finished. Latencies are in
# microseconds; summary.errors counts connect/read/write failures, timeouts and non-2xx/3xx
# statuses ("status").
LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,' ..
    '"mean":%.1f,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def available() -> str | None:
    """Path of the wrk binary, or None."""
    return shutil.which("wrk") or (os.path.exists("/usr/bin/wrk") and "/usr/bin/wrk") or None


def probe(host: str, port: int, path: str, headers: dict[str, str]) -> tuple[int, int | None]:
    """One request: (status, X-Query-Count or None)."""
    req = urllib.request.Request(f"http://{host}:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            resp.read()
            qc = resp.headers.get("X-Query-Count")
            return resp.status, int(qc) if qc and qc.strip().isdigit() else None
    except urllib.error.HTTPError as exc:
        qc = exc.headers.get("X-Query-Count") if exc.headers else None
        return exc.code, int(qc) if qc and qc.strip().isdigit() else None
    except OSError:
        return 0, None


def _run(binary, url, headers, seconds, connections, threads, script, timeout) -> dict:
    cmd = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",  # wrk takes whole seconds
        f"--timeout={timeout:g}s",
        "-s",
        script,
    ]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout + 30)
    for line in out.stdout.splitlines():
        if line.startswith("WRKJSON "):
            return json.loads(line[len("WRKJSON ") :])
    raise RuntimeError(
        f"wrk printed no result (exit {out.returncode}): {out.stderr.strip() or out.stdout[-400:]}"
    )


def measure(
    host: str,
    port: int,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    duration: float = 5.0,
    concurrency: int = 16,
    threads: int = 2,
    warmup: float = 1.0,
    timeout: float = 30.0,
    binary: str | None = None,
) -> dict:
    binary = binary or available()
    if not binary:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    headers = dict(headers or {})
    threads = max(1, min(threads, concurrency))
    status, queries = probe(host, port, path, headers)
    url = f"http://{host}:{port}{path}"
    cpu0 = _children_cpu()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA)
        script = fh.name
    try:
        if warmup > 0:
            _run(binary, url, headers, warmup, concurrency, threads, script, timeout)
        t0 = time.monotonic()
        r = _run(binary, url, headers, duration, concurrency, threads, script, timeout)
        wall = time.monotonic() - t0
    finally:
        os.unlink(script)
    _status, warm_queries = probe(host, port, path, headers)
    seconds = r["duration_us"] / 1e6 or 1e-9
    failures = {
        name: r[key]
        for key, name in (
            ("connect", "connect"),
            ("read", "read"),
            ("write", "write"),
            ("timeout", "timeout"),
        )
        if r[key]
    }
    bad_status = r["status"]
    statuses = {str(status): r["requests"] - bad_status} if 200 <= status < 400 else {}
    if bad_status:
        statuses[str(status) if not 200 <= status < 400 else "non-2xx"] = bad_status
    errors = bad_status + sum(failures.values())
    return {
        "path": path,
        "client": "wrk",
        "requests": r["requests"],
        "seconds": round(seconds, 3),
        "rps": round(r["requests"] / seconds, 1),
        "p50_ms": round(r["p50"] / 1000, 2),
        "p95_ms": round(r["p95"] / 1000, 2),
        "p99_ms": round(r["p99"] / 1000, 2),
        "max_ms": round(r["max"] / 1000, 2),
        "queries_per_request": warm_queries if warm_queries is not None else queries,
        "queries_cold": queries,
        "queries_max": max(q for q in (queries, warm_queries, 0) if q is not None),
        "probe_status": status,
        "statuses": statuses,
        "failures": failures,
        "errors": errors,
        "bytes_per_response": round(r["bytes"] / max(r["requests"], 1)),
        "concurrency": concurrency,
        "client_cpu_share": round((_children_cpu() - cpu0) / max(wall, 1e-9), 2),
    }


def _children_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system
