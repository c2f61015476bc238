"""Settings of the portal process the browser journeys drive (a real server, own SQLite file).

The journeys file several requests from 127.0.0.1 within seconds, so the per-IP rate limits
of the public forms are off here (their own tests live in tests/hotline and tests/center).
"""

import os

from center.settings.test import *  # noqa: F401,F403

RATELIMIT_ENABLE = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# A file cache the test process can empty: each journey restores the database underneath the
# running portal (conftest.Portal.reset), which no model signal sees, so the shared caches
# (center.caching) must be emptied with it, as after restoring a backup in production.
if os.environ.get("JOURNEYS_CACHE_DIR"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ["JOURNEYS_CACHE_DIR"],
        }
    }
