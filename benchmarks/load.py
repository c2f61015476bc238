"""The bench harness's load generator: N threads, each with its own keep-alive
`http.client` connection, hammer one URL for a fixed time and record every response's
latency, status code and `X-Query-Count` header.

Run by `benchmarks/run.py` as a separate process (so the client never shares a Python
interpreter with the server):

    python benchmarks/load.py --port 8123 --plan plan.json --duration 5 --concurrency 8

prints one JSON object per plan entry on stdout as soon as that URL is measured.
`measure()` is the same thing as a function (used by the tests).

Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class _Worker:
    latencies: list[float] = field(default_factory=list)  # seconds, measured requests only
    queries: list[int] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)  # exception name -> count
    bytes: int = 0
    finished_at: float = 0.0


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 for an empty list)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _loop(host, port, path, headers, warmup_until, deadline, timeout, out: _Worker):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        while True:
            start = time.perf_counter()
            if start >= deadline:
                break
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                status = resp.status
                qc = resp.getheader("X-Query-Count")
                if resp.will_close:
                    # A server that closes after each response (gunicorn's sync workers do);
                    # http.client reconnects on the next request.
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                if start >= warmup_until:
                    name = type(exc).__name__
                    out.failures[name] = out.failures.get(name, 0) + 1
                    out.latencies.append(time.perf_counter() - start)
                continue
            elapsed = time.perf_counter() - start
            if start < warmup_until:
                continue
            out.latencies.append(elapsed)
            out.statuses[status] = out.statuses.get(status, 0) + 1
            out.bytes += len(body)
            if qc is not None and qc.strip().isdigit():
                out.queries.append(int(qc))
    finally:
        conn.close()
        out.finished_at = time.perf_counter()


def measure(
    host: str,
    port: int,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    duration: float = 5.0,
    concurrency: int = 8,
    warmup: float = 0.0,
    timeout: float = 30.0,
) -> dict:
    """Drive GET `path` with `concurrency` threads for `warmup` + `duration` seconds.

    Requests started during the warm-up are not counted. Returns requests/s, latency
    percentiles in milliseconds, mean and max SQL queries per request (from the
    `X-Query-Count` response header; None when the server sent none), status codes and
    errors (any non-2xx response or connection failure)."""
    hdrs = {"Host": f"{host}:{port}", "User-Agent": "haishu-bench/1", "Accept": "*/*"}
    hdrs.update(headers or {})
    workers = [_Worker() for _ in range(concurrency)]
    cpu0 = time.process_time()
    begin = time.perf_counter()
    warmup_until = begin + warmup
    deadline = warmup_until + duration
    threads = [
        threading.Thread(
            target=_loop, args=(host, port, path, hdrs, warmup_until, deadline, timeout, w), daemon=True
        )
        for w in workers
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    end = max((w.finished_at for w in workers), default=deadline)
    wall = max(end - warmup_until, 1e-9)

    latencies = sorted(x for w in workers for x in w.latencies)
    queries = [q for w in workers for q in w.queries]
    statuses: dict[int, int] = {}
    failures: dict[str, int] = {}
    for w in workers:
        for k, v in w.statuses.items():
            statuses[k] = statuses.get(k, 0) + v
        for k, v in w.failures.items():
            failures[k] = failures.get(k, 0) + v
    count = len(latencies)
    errors = sum(v for k, v in statuses.items() if not 200 <= k < 300) + sum(failures.values())
    return {
        "path": path,
        "requests": count,
        "seconds": round(wall, 3),
        "rps": round(count / wall, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "max_ms": round((latencies[-1] if latencies else 0) * 1000, 2),
        "queries_per_request": round(sum(queries) / len(queries), 2) if queries else None,
        "queries_max": max(queries) if queries else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "failures": failures,
        "errors": errors,
        "bytes_per_response": round(sum(w.bytes for w in workers) / max(count - sum(failures.values()), 1)),
        "concurrency": concurrency,
        "client_cpu_share": round((time.process_time() - cpu0) / max(end - begin, 1e-9), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--plan", help="JSON file: {'pages': [{'name', 'path', 'cookie'?}, ...]}")
    parser.add_argument("--path", help="measure this single path instead of a plan")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--client", choices=("python", "wrk"), default="python")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = parser.parse_args(argv)
    if args.client == "wrk":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from benchmarks import wrk

    if args.plan:
        with open(args.plan, encoding="utf-8") as fh:
            pages = json.load(fh)["pages"]
    elif args.path:
        pages = [{"name": args.path, "path": args.path}]
    else:
        parser.error("give --plan or --path")

    for page in pages:
        headers = {"Cookie": page["cookie"]} if page.get("cookie") else {}
        if args.client == "wrk":
            result = wrk.measure(
                args.host,
                args.port,
                page["path"],
                headers=headers,
                duration=args.duration,
                concurrency=args.concurrency,
                threads=args.threads,
                warmup=args.warmup,
            )
        else:
            result = measure(
                args.host,
                args.port,
                page["path"],
                headers=headers,
                duration=args.duration,
                concurrency=args.concurrency,
                warmup=args.warmup,
            )
            result["client"] = "python"
        result["name"] = page["name"]
        result["login"] = page.get("login")
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
