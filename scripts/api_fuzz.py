#!/usr/bin/env python
"""Schema-driven fuzzing of the REST API (`make api-fuzz`, part of `.ci/run`).

Builds a fresh PostgreSQL database with the demo data, creates an API token for one account
of every role, serves the portal with gunicorn and runs schemathesis against `/api/schema/`
once per role (every operation of the schema, GET and writes, with a bounded number of
examples), then walks the write journeys with real ids (create an application draft, read
it, submit it; file a help request through Open311's POST) and validates every answer
against the schema. Checks: not_a_server_error, status_code_conformance,
response_schema_conformance, content_type_conformance. Exits non-zero on any failure.

Environment: API_FUZZ_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/haishu_api_fuzz;
the database is dropped and recreated), API_FUZZ_EXAMPLES (examples per operation, default
10), API_FUZZ_SEED (default 20261128), API_FUZZ_ROLES (comma list, default all),
API_FUZZ_PARALLEL (roles run side by side, default 3).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"

# role -> demo account (None: anonymous). Every role runs every operation of the schema: the
# operations a role may not use must answer a documented refusal, never a server error.
ROLES = {
    "anonymous": None,
    "organization": "org_stars",
    "reviewer": "reviewer1",
    "street_handler": "handler_nanmen",
    "community_handler": "handler_nanmen_c1",
    "resident": "resident1",
    "staff_resource": "staff_resource",
    "staff_projects": "staff_projects",
    "staff_info": "staff_info",
    "staff_operations": "staff_operations",
    "center_admin": "admin",
}

# The coverage phase (every boundary and wrong-type value of every parameter, ~1,400 cases per
# role) runs for the account that writes most and the one that sees most; every role gets the
# random fuzzing and the stateful phase that follows the schema's links with real ids.
COVERAGE_ROLES = {"organization", "center_admin"}


def log(msg: str) -> None:
    print(f"[api-fuzz] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg2

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password or ""),
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def prepare_accounts() -> dict:
    """Tokens for every role's account, an Open311 key, and real ids for the journeys."""
    import django

    django.setup()
    from django.apps import apps
    from django.db import connection
    from rest_framework.authtoken.models import Token

    User = apps.get_model("center", "User")
    tokens = {}
    for role, username in ROLES.items():
        if username is None:
            tokens[role] = None
            continue
        user = User.objects.get(username=username)
        tokens[role] = Token.objects.get_or_create(user=user)[0].key

    ApiKey = apps.get_model("hotline", "ApiKey")
    key = ApiKey.objects.create(name="api-fuzz", key="api-fuzz-key-0001", active=True)
    category = apps.get_model("hotline", "ServiceCategory").objects.filter(active=True).first()

    Round = apps.get_model("ventures", "Round")
    Membership = apps.get_model("organizations", "Membership")
    org_user = User.objects.get(username=ROLES["organization"])
    membership = Membership.objects.filter(user=org_user, role="owner").select_related("organization").first()
    from django.utils import timezone

    now = timezone.now()
    rnd = Round.objects.filter(call_opens__lte=now, call_closes__gte=now).order_by("pk").first()
    Event = apps.get_model("consultations", "Event")
    from django.db.models import Q

    event = (
        Event.objects.filter(status="published", starts_at__gt=now, audience__in=("residents", "everyone"))
        .filter(Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now))
        .filter(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now))
        .order_by("starts_at")
        .first()
    )
    facts = {
        "tokens": tokens,
        "open311_key": key.key,
        "service_code": category.code if category else None,
        "organization_id": membership.organization_id if membership else None,
        "round_id": rnd.pk if rnd else None,
        "category": (rnd.categories or ["elderly"])[0] if rnd else None,
        "event_id": event.pk if event else None,
    }
    connection.close()
    return facts


def start_server(env: dict, port: int, log_file: Path) -> subprocess.Popen:
    cmd = [
        str(BIN / "gunicorn"),
        "center.wsgi",
        "--workers",
        "4",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    with open(log_file, "ab") as server_log:  # 4xx warnings of django.request: kept out of the CI log
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except Exception:
            if proc.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not answer /healthz")


def run_schemathesis(
    role: str, token: str | None, schema_path: Path, base: str, out: Path, examples: int, seed: int
):
    report = out / f"{role}.json"
    cmd = [
        str(BIN / "schemathesis"),
        "run",
        str(schema_path),
        "--url",
        base,
        "--checks",
        CHECKS,
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--workers",
        "1",  # several roles run side by side instead (threads inside one run trip a CPython AST bug)
        "--no-shrink",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--warnings",
        "off",
        "--request-timeout",
        "30",
    ]
    if role not in COVERAGE_ROLES:
        cmd += ["--phases", "examples,fuzzing,stateful"]
    if token:
        cmd += ["-H", f"Authorization: Token {token}"]
    return subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ), report


def summarise(role: str, report: Path, output: str, exit_code: int) -> dict:
    data = json.loads(report.read_text()) if report.exists() else {}
    failures = sum(f.get("count", 0) for f in data.get("failures", []))
    errors = sum(e.get("count", 0) for e in data.get("errors", []))
    row = {
        "role": role,
        "operations": data.get("operations", {}).get("tested", 0),
        "cases": data.get("test_cases", {}).get("generated", 0),
        "failures": failures,
        "errors": errors,
        "seconds": round(data.get("running_time", 0)),
        "ok": exit_code == 0 and failures == 0 and errors == 0,
    }
    if not row["ok"]:
        print(output[-20000:], flush=True)
    return row


# --- write journeys with real ids, each answer validated against the schema ----------------


def journeys(schema_path: Path, base: str, facts: dict) -> list[str]:
    """Create an application draft, read it, submit it, then submit it again (refused); file
    a help request through Open311's POST and read it back; refused and malformed inputs."""
    import requests
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        response_schema_conformance,
        content_type_conformance,
    ]
    schema = schemathesis.openapi.from_path(str(schema_path))
    problems: list[str] = []
    org_auth = {"Authorization": f"Token {facts['tokens']['organization']}"}

    def call(path: str, method: str, expect: int | tuple[int, ...], **kwargs):
        case = schema[path][method].Case(**kwargs)
        response = case.call(base_url=base)
        try:
            case.validate_response(response, checks=checks)
        except Exception as exc:  # schemathesis raises one failure group with every check
            problems.append(f"{method} {path}: {exc}")
        if response.status_code not in (expect if isinstance(expect, tuple) else (expect,)):
            problems.append(
                f"{method} {path}: expected {expect}, got {response.status_code} {response.text[:300]}"
            )
        return response

    if facts["round_id"] and facts["organization_id"]:
        body = {
            "round": facts["round_id"],
            "organization": facts["organization_id"],
            "category": facts["category"],
            "title": "API contract journey",
            "summary": "Weekly visits to elderly people living alone.",
            "duration_months": 10,
            "requested_amount": "20000.00",
            "budget_lines": [
                {"item": "transport", "amount": "12000.00"},
                {"item": "training", "amount": "8000.00"},
            ],
        }
        create = "/api/v1/ventures/applications/create/"
        r = call(create, "POST", 201, body=body, headers=org_auth)
        if r.status_code == 201:
            pk = r.json()["id"]
            call(
                "/api/v1/ventures/applications/{id}/",
                "GET",
                200,
                path_parameters={"id": pk},
                headers=org_auth,
            )
            submit = "/api/v1/ventures/applications/{id}/submit/"
            call(submit, "POST", 200, path_parameters={"id": pk}, headers=org_auth)
            call(submit, "POST", (200, 409), path_parameters={"id": pk}, headers=org_auth)  # again
            call(submit, "POST", 401, path_parameters={"id": pk})  # no credentials
        call(create, "POST", 400, body={**body, "duration_months": 0, "budget_lines": []}, headers=org_auth)
        call(create, "POST", 404, body={**body, "round": 10**8}, headers=org_auth)
    else:
        problems.append(
            "the demo data has no open round or no organization owned by the organization account"
        )

    # Event registration: a resident registers, reads the registration back by its code, cancels
    # it (twice: the second is refused); bad input, an unknown event and no account are refused.
    resident_auth = {"Authorization": f"Token {facts['tokens']['resident']}"}
    registrations = "/api/v1/consultations/registrations/"
    if facts["event_id"]:
        body = {"event": facts["event_id"], "name": "API journey resident", "attendees": 1}
        r = call(registrations, "POST", 201, body=body, headers=resident_auth)
        if r.status_code == 201:
            code = r.json()["code"]
            detail = "/api/v1/consultations/registrations/{code}/"
            back = call(detail, "GET", 200, path_parameters={"code": code}, headers=resident_auth)
            if back.status_code == 200 and back.json().get("event") != facts["event_id"]:
                problems.append(f"GET {detail}: registration {code} reads back another event")
            call(
                detail,
                "GET",
                404,
                path_parameters={"code": code},
                headers={"Authorization": f"Token {facts['tokens']['organization']}"},
            )
            cancel = "/api/v1/consultations/registrations/{code}/cancel/"
            call(cancel, "POST", 200, path_parameters={"code": code}, headers=resident_auth)
            call(cancel, "POST", (400, 409), path_parameters={"code": code}, headers=resident_auth)
        call(registrations, "POST", 400, body={**body, "attendees": 0}, headers=resident_auth)
        call(registrations, "POST", 404, body={**body, "event": 10**8}, headers=resident_auth)
        call(registrations, "POST", (401, 403), body=body)
    else:
        problems.append("the demo data has no published event open for residents' registration")

    # Open311 GeoReport v2: POST a request, read it back; refusals answer Open311 error lists.
    open311 = f"{base}/open311/v2"
    form = {
        "api_key": facts["open311_key"],
        "service_code": facts["service_code"],
        "description": "Street light out in front of building 3",
        "address_string": "Nanmen street 1",
        "phone": "13812345678",
    }
    for data, expect in (
        (form, (200, 201)),
        ({**form, "api_key": "wrong"}, (403,)),
        ({**form, "service_code": ""}, (400,)),
        ({**form, "service_code": "no-such-service"}, (404,)),
        ({**form, "lat": "north", "long": "east", "address_string": ""}, (400,)),
        ({**form, "description": "control \x00 character"}, (400,)),
        ({**form, "description": "x" * 20000}, (200, 201, 400)),
    ):
        r = requests.post(f"{open311}/requests.json", data=data, timeout=30)
        kind = r.headers.get("Content-Type", "")
        label = f"POST /open311/v2/requests.json ({len(data['description'])} characters, key {data['api_key'][:5]})"
        if r.status_code not in expect or not kind.startswith("application/json"):
            problems.append(f"{label}: expected {expect} JSON, got {r.status_code} {kind} {r.text[:300]}")
            continue
        if r.status_code in (200, 201):
            number = r.json()[0]["service_request_id"]
            back = requests.get(f"{open311}/requests/{number}.json", timeout=30)
            if back.status_code != 200 or back.json()[0]["service_request_id"] != number:
                problems.append(
                    f"GET /open311/v2/requests/{number}.json: {back.status_code} {back.text[:300]}"
                )
    return problems


def main() -> int:
    examples = int(os.environ.get("API_FUZZ_EXAMPLES", "10"))
    seed = int(os.environ.get("API_FUZZ_SEED", "20261128"))
    parallel = int(os.environ.get("API_FUZZ_PARALLEL", "3"))
    db_url = os.environ.get("API_FUZZ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/haishu_api_fuzz")
    wanted = [r for r in os.environ.get("API_FUZZ_ROLES", ",".join(ROLES)).split(",") if r]

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "center.settings.test",
        "DATABASE_URL": db_url,
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)
    started = time.monotonic()
    log(f"fresh database {urllib.parse.urlparse(db_url).path.lstrip('/')} with the demo data")
    recreate_database(db_url)
    py = str(BIN / "python")
    subprocess.run([py, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([py, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    facts = prepare_accounts()
    log(f"database ready in {time.monotonic() - started:.0f} s")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out = Path(tempfile.mkdtemp(prefix="api-fuzz-"))
    server = start_server(env, port, out / "server.log")
    rows: list[dict] = []
    problems: list[str] = []
    try:
        schema_path = out / "schema.json"
        with urllib.request.urlopen(f"{base}/api/schema/?format=json", timeout=60) as resp:
            schema_path.write_bytes(resp.read())
        fuzz_started = time.monotonic()
        pending = list(wanted)
        running: list[tuple[str, subprocess.Popen, Path]] = []
        while pending or running:
            while pending and len(running) < parallel:
                role = pending.pop(0)
                proc, report = run_schemathesis(
                    role, facts["tokens"][role], schema_path, base, out, examples, seed
                )
                running.append((role, proc, report))
            role, proc, report = running.pop(0)
            output, _ = proc.communicate()
            rows.append(summarise(role, report, output, proc.returncode))
            log(
                "{role}: {operations} operations, {cases} cases, {failures} failures, {errors} errors, "
                "{seconds} s".format(**rows[-1])
            )
        fuzz_seconds = time.monotonic() - fuzz_started
        problems = journeys(schema_path, base, facts)
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = {k: sum(r[k] for r in rows) for k in ("cases", "failures", "errors")}
    operations = len(
        [
            op
            for item in json.loads(schema_path.read_text())["paths"].values()
            for op in item
            if op != "parameters"
        ]
    )
    log(
        f"schemathesis: {operations} operations x {len(rows)} roles, {total['cases']} cases, "
        f"{total['failures']} failures, {total['errors']} errors in {fuzz_seconds:.0f} s"
    )
    for problem in problems:
        log(f"journey failure: {problem}")
    log(f"journeys: {'ok' if not problems else f'{len(problems)} failures'}")
    log(f"done in {time.monotonic() - started:.0f} s; reports in {out}")
    if all(r["ok"] for r in rows) and not problems:
        shutil.rmtree(out, ignore_errors=True)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
