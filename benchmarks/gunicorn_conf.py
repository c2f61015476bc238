"""Gunicorn hooks for the bench server: each worker, once it has loaded the portal, drops a
file in $BENCH_READY_DIR, so run.py measures only after every worker is up (a worker still
importing Django would steal CPU from the first measurement)."""

import os
from pathlib import Path


def post_worker_init(worker):
    ready = os.environ.get("BENCH_READY_DIR")
    if ready:
        Path(ready, str(worker.pid)).touch()
