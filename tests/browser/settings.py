"""Settings of the portal process the browser journeys drive (a real server, own SQLite file).

The journeys file several requests from 127.0.0.1 within seconds, so the per-IP rate limits
of the public forms are off here (their own tests live in tests/hotline and tests/center).
"""

from center.settings.test import *  # noqa: F401,F403

RATELIMIT_ENABLE = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
