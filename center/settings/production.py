"""Production: every secret from the environment; refuses to start without SECRET_KEY."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- shared cache required -----------------------------------------------------------------
# Rate limits, login lockouts, cached figures and the ranking live in the cache: with a
# per-process cache (locmem, dummy) every worker process would keep its own, so limits would
# multiply by the number of processes. Production refuses to start without a shared one
# (CACHE_URL=redis://... or memcached, or the database cache).
_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.",
    "django.core.cache.backends.dummy.",
    "django.core.cache.backends.filebased.",  # per machine: several web servers would not share it
)
for _alias, _cache in CACHES.items():  # noqa: F405
    if str(_cache.get("BACKEND", "")).startswith(_PER_PROCESS_CACHES):
        raise ImproperlyConfigured(
            f"CACHES[{_alias!r}] is per process ({_cache['BACKEND']}); set CACHE_URL to a shared cache "
            "(redis://, memcached or the database cache) for production."
        )
