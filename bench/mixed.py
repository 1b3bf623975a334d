"""The mixed arrival-week run of `make bench`: many people at once, reading and writing.

For MIXED_SECONDS (default 60) at MIXED_CONNECTIONS (default 16) connections, wrk
(bench/mixed.lua) sends ALTs' page views (80 %), ALTs' new requests and replies
(10 %), staff's admin lists and replies (10 %). Sessions are made here, as a login
would make them, for ALTs of the scale data set and the demo's branch staff; each
staff reply posts a change form loaded beforehand at its current version.

Afterwards the database is asked for every write that was acknowledged (a redirect
to the request, its confirmation page or the admin list): `lost` counts those it
does not hold. Every write carries the run's marker, so none is mistaken for another.
"""

import json
import os
import secrets
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SECONDS = int(os.environ.get("MIXED_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("MIXED_CONNECTIONS", "16"))
THREADS = 2
ALTS = 40
STAFF = ["staff.tokyo@example.com", "staff.osaka@example.com", "mc.tokyo@example.com", "mc.osaka@example.com"]
ADMIN_LIST = "/admin/support/supportrequest/"
HERE = Path(__file__).resolve().parent


def _session_for(user) -> str:
    """A signed-in session of `user`, stored as the login would store it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["_seen"] = int(time.time())
    store.save()
    return store.session_key


def _alts() -> list[dict]:
    """ALTs of a branch with an open request each (the thread they reply to)."""
    from support.models import Status, SupportRequest

    chosen, seen = [], set()
    open_requests = (
        SupportRequest.objects.filter(alt__alt_profile__branch__isnull=False, alt__is_active=True)
        .exclude(status__in=[Status.CLOSED, Status.RESOLVED])
        .exclude(category="WELLBEING")
        .select_related("alt")
        .order_by("pk")
    )
    for support_request in open_requests.iterator():
        if support_request.alt_id in seen:
            continue
        seen.add(support_request.alt_id)
        thread = support_request.pk
        pages = ["/", "/support/", f"/support/{thread}/", "/training/", "/onboarding/", "/contacts/"]
        chosen.append({"session": _session_for(support_request.alt), "thread": thread, "pages": pages})
        if len(chosen) == ALTS:
            break
    return chosen


def _staff() -> list[dict]:
    from contacts.models import User

    return [
        {"email": user.email, "session": _session_for(user), "list": ADMIN_LIST}
        for user in User.objects.filter(email__in=STAFF).order_by("email")
    ]


def _change_forms(base: str, staff: list[dict], csrf: str, count: int) -> list[dict]:
    """`count` change forms of distinct open requests, each loaded by its branch's scheduler."""
    import requests

    from support.models import Status, SupportRequest
    from testing.forms import form_fields

    schedulers = {
        person["email"].split("@")[0].split(".")[1]: person for person in staff if "staff." in person["email"]
    }
    wanted = []
    for code, person in schedulers.items():
        pks = (
            SupportRequest.objects.filter(branch__code=code)
            .exclude(status__in=[Status.CLOSED])
            .exclude(category="WELLBEING")
            .order_by("-pk")
            .values_list("pk", flat=True)[: count // len(schedulers)]
        )
        wanted += [(pk, person) for pk in pks]

    def load(item):
        pk, person = item
        path = f"{ADMIN_LIST}{pk}/change/"
        cookies = {"sessionid": person["session"], "csrftoken": csrf}
        page = requests.get(base + path, cookies=cookies, timeout=30)
        if page.status_code != 200:
            return None
        fields = form_fields(page.text, "supportrequest_form")
        fields.pop("reply", None)
        fields.pop("csrfmiddlewaretoken", None)
        pairs = [[name, value] for name, values in fields.items() for value in values]
        return {"path": path, "person": {"session": person["session"]}, "fields": pairs + [["_save", "Save"]]}

    with ThreadPoolExecutor(max_workers=4) as pool:
        return [form for form in pool.map(load, wanted) if form is not None]


def _lua_value(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua_value(k)}] = {_lua_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua_value(v) for v in value) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value))  # a JSON string is a valid Lua string literal for this text


def prepare(base: str) -> dict:
    """Sessions, change forms and the marker of one run; written as a Lua table for wrk."""
    from django.db import connection

    marker = f"mixed-{uuid.uuid4().hex[:10]}"
    csrf = secrets.token_hex(16)  # 32 characters of [0-9a-f]: a valid CSRF secret
    staff = _staff()
    # Roughly how many staff saves the run will make, with room to spare.
    writes = _change_forms(base, staff, csrf, count=600)
    data = {
        "origin": base,
        "marker": marker,
        "csrf": csrf,
        "threads": THREADS,
        "alts": _alts(),
        "staff": staff,
        "staff_writes": writes,
    }
    connection.close()
    return data


def stored(marker: str) -> dict:
    from support.models import Message, SupportRequest

    return {
        "new_request": SupportRequest.objects.filter(subject__startswith=f"{marker} new ").count(),
        "alt_reply": Message.objects.filter(body__startswith=f"{marker} alt reply ").count(),
        "staff_reply": Message.objects.filter(body__startswith=f"{marker} staff reply ").count(),
    }


def run(base: str, workdir: Path) -> dict:
    data = prepare(base)
    data_file = workdir / "mixed-data.lua"
    data_file.write_text("return " + _lua_value(data) + "\n")
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s"]
    command += ["-s", str(HERE / "mixed.lua"), base + "/"]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, "MIXED_DATA": str(data_file)}
    ).stdout
    result = json.loads(output.split("WRK_JSON ", 1)[1].splitlines()[0])
    held = stored(data["marker"])
    acknowledged = result.pop("acknowledged")
    lost = {kind: max(0, acknowledged[kind] - held[kind]) for kind in acknowledged}
    return {
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "requests": result["requests"],
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "errors": result["socket_errors"] + result["status_5xx"],
        "status_4xx": result["status_4xx"],
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "max_ms": result["max_us"] / 1000,
        "acknowledged": acknowledged,
        "stored": held,
        "lost": sum(lost.values()),
        "lost_by_kind": lost,
        "alts": len(data["alts"]),
        "staff_forms": len(data["staff_writes"]),
    }
