#!/usr/bin/env bash
# The suite on SQLite with the process clock moved (libfaketime) to dates that exercise the
# edges of the working-day calendar and of "today":
#   2027-02-06 10:00 Shanghai  a Saturday, in the Spring Festival of a year chinese-calendar
#                              does not know (statutory holidays come from the holidays package)
#   2026-12-31 23:30 Shanghai  New Year's Eve, half an hour before the year changes
# Override with TEST_DATES="2027-05-01T09:00:00+08:00 ..." (ISO 8601 with an offset).
#
# The clock is moved by a RELATIVE offset: an absolute FAKETIME date would be read in each
# process's TZ, which Django sets, so pytest-xdist workers would run hours apart.
set -euo pipefail
cd "$(dirname "$0")/.."

LIB=""
for candidate in /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 /usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1; do
  [ -f "$candidate" ] && LIB="$candidate" && break
done
if [ -z "$LIB" ] || ! command -v faketime >/dev/null 2>&1; then
  (apt-get install -y -q faketime >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q faketime >/dev/null 2>&1)) \
    || { echo "error: libfaketime is needed (Debian package faketime)"; exit 1; }
fi

DATES="${TEST_DATES:-2027-02-06T10:00:00+08:00 2026-12-31T23:30:00+08:00}"
export DJANGO_SETTINGS_MODULE=center.settings.test
# Only the wall clock moves: a faked monotonic clock makes every timed wait (threading.Event,
# lock timeouts) hang.
export FAKETIME_DONT_FAKE_MONOTONIC=1
unset DATABASE_URL CELERY_BROKER_URL
for when in $DATES; do
  offset=$(( $(date -d "$when" +%s) - $(date +%s) ))
  [ "$offset" -ge 0 ] && offset="+$offset"
  echo "== the suite at $when (clock offset ${offset}s)"
  faketime -f "${offset}s" .venv/bin/python -c "import datetime; print('   process clock:', datetime.datetime.now().astimezone())"
  faketime -f "${offset}s" .venv/bin/pytest -n "${PYTEST_WORKERS:-2}" -m "not celery_integration" \
    --ignore=tests/browser -q "$@"
done
