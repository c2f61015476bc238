"""Gunicorn hooks for the bench server.

Each worker, once it has loaded the portal, imports every URLconf (and with it every view,
serializer and form module, which Django otherwise does on a worker's first request) and
then drops a file in $BENCH_READY_DIR. run.py starts measuring only when every worker is
ready, so no worker still importing code steals CPU from the first measurement."""

import os
from pathlib import Path


def post_worker_init(worker):
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 - populating the resolver imports every urls.py and view
    ready = os.environ.get("BENCH_READY_DIR")
    if ready:
        Path(ready, str(worker.pid)).touch()
