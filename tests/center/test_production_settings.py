"""Production settings refuse to start without a shared cache (in a separate process, since
importing them changes nothing here)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _import_production(cache_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env["SECRET_KEY"] = "a-real-secret-for-this-check-only-0123456789"
    if cache_url:
        env["CACHE_URL"] = cache_url
    return subprocess.run(
        [sys.executable, "-c", "import center.settings.production"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_a_per_process_cache():
    done = _import_production(None)  # the default is a file cache on this machine
    assert done.returncode != 0 and "shared cache" in done.stderr


def test_production_starts_with_a_shared_cache():
    done = _import_production("redis://127.0.0.1:6379/1")
    assert done.returncode == 0, done.stderr
