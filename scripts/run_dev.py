"""`make run`: the development server plus a Celery worker with embedded beat, together.

Stops both on Ctrl-C. With the embedded defaults the worker uses kombu's filesystem
broker and the same SQLite file, so scheduled reminders really fire in the demo.
"""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    args = parser.parse_args()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "center.settings.local"),
    }
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "center", "worker", "-B", "--pool", "solo", "--loglevel", "INFO"],
        cwd=ROOT,
        env=env,
    )
    print(f"Portal: http://127.0.0.1:{args.port}/  (Ctrl-C stops the server and the worker)", flush=True)
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{args.port}"], cwd=ROOT, env=env
    )
    try:
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in (web, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (web, worker):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main())
