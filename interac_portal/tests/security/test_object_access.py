"""Object access, for every URL of the project that takes an id or a token, and every kind of person.

One table: each URL pattern found by walking the resolver must have a row here
(or a line in ELSEWHERE saying which test covers it), so a new URL cannot be
added without saying who may open it. What people may not see answers 404
(DESIGN.md), anonymous visitors go to the login page, and nothing changes.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from training.checkin import checkin_token

from .conftest import client_as
from .urlwalk import routes_with_params
from .world import ROLES, World, db_snapshot, snapshot_diff

LOGIN = "login"  # redirected to the login page


def expect(default=404, anonymous=LOGIN, **roles) -> dict:
    table = dict.fromkeys(ROLES, default)
    table["anonymous"] = anonymous
    table.update(roles)
    return table


@dataclass(frozen=True)
class Case:
    label: str
    kwargs: Callable[[World], dict]
    expect: dict
    method: str = "get"
    data: Callable[[World], dict] = lambda w: {}
    # Run after the refused people and before those allowed (e.g. unlock the quiz for the owner).
    prepare: Callable[[World], None] = lambda w: None


def _request(w):
    return {"pk": w.request.pk}


def _registered(w):
    return {"pk": w.registered_session.pk}


def _checkin(w):
    return {"pk": w.checkin_session.pk, "token": checkin_token(w.checkin_session)}


TABLE: dict[str, list[Case]] = {
    # --- support: the ALT's own pages; staff work in the admin ---------------------------
    "support:detail": [Case("the owner's request", _request, expect(owner=200))],
    "support:sent": [Case("the owner's request", _request, expect(owner=200))],
    "support:reply": [Case("reply", _request, expect(owner=302), "post", lambda w: {"body": "Thank you"})],
    "support:solve": [Case("mark solved", _request, expect(owner=302), "post")],
    # The opened page marks the owner's request read ("New reply"); staff mark it in the admin.
    "support:seen": [
        Case(
            "mark read",
            _request,
            expect(owner=302),
            "post",
            lambda w: {"seen_up_to": "2026-01-01T00:00:00+00:00"},
        )
    ],
    "support:reopen": [Case("reopen", lambda w: {"pk": w.resolved.pk}, expect(owner=302), "post")],
    # The ALT answers a visit to one of their requests; staff change visits in the admin.
    "support:visit_confirm": [Case("the owner's visit", lambda w: {"pk": w.visit.pk}, expect(owner=302), "post")],
    "support:visit_new_time": [
        Case(
            "the owner's visit",
            lambda w: {"pk": w.visit.pk},
            expect(owner=302),
            "post",
            lambda w: {"note": "Thursday afternoon?"},
        )
    ],
    # The signed link of an urgent call-out email is the key (the person on call may not be logged in on their
    # phone): whoever holds it sees the button; a made-up or altered one is 404 for everyone.
    "support:urgent_ack": [
        Case("the on-call person's link", lambda w: {"token": w.ack_token}, expect(default=200, anonymous=200)),
        Case("a made-up link", lambda w: {"token": "eyJhIjoxfQ:made:up"}, expect(anonymous=404), "post"),
        Case("an altered link", lambda w: {"token": w.ack_token[:-3] + "abc"}, expect(anonymous=404), "post"),
    ],
    # Counter cards are the same for everyone who logs in; the place names a card, not a row of anyone's.
    "support:card": [
        Case("the bank card", lambda w: {"place": "bank"}, expect(default=200)),
        Case("a place without a card", lambda w: {"place": "karaoke"}, expect()),
    ],
    "support:attachment": [
        Case(
            "file sent with the request",
            lambda w: {"pk": w.request.pk, "attachment_pk": w.request_file.pk},
            expect(owner=200, scheduler=200, mc=200),
        ),
        Case(
            "file of an internal note",
            lambda w: {"pk": w.request.pk, "attachment_pk": w.note_file.pk},
            expect(scheduler=200, mc=200),
        ),
        Case(
            "file of a well-being request",
            lambda w: {"pk": w.wellbeing.pk, "attachment_pk": w.wellbeing_file.pk},
            expect(owner=200, mc=200),
        ),
        Case(
            "file of another request under the owner's request id",
            lambda w: {"pk": w.request.pk, "attachment_pk": w.wellbeing_file.pk},
            expect(),
        ),
        Case(
            "an Osaka ALT's file",
            lambda w: {"pk": w.osaka_request.pk, "attachment_pk": w.osaka_file.pk},
            expect(other_branch_alt=200, other_branch_staff=200),
        ),
    ],
    # --- training: sessions belong to a branch; the owner's registration to the owner -----
    "training:register": [
        Case("a Tokyo session", lambda w: {"pk": w.session.pk}, expect(owner=302, other_alt=302), "post"),
        Case("an Osaka session", lambda w: {"pk": w.osaka_session.pk}, expect(other_branch_alt=302), "post"),
    ],
    "training:withdraw": [
        # Another Tokyo ALT sees the session but has no registration to give up: refused, nothing changes.
        Case("the owner's registration", _registered, expect(owner=302, other_alt=422), "post")
    ],
    "training:confirm": [Case("the owner's invitation", _registered, expect(owner=302, other_alt=422), "post")],
    "training:attendance": [
        Case("a Tokyo session's roll", lambda w: {"pk": w.today_session.pk}, expect(trainer=200, sesps=200)),
        Case(
            "marking the owner present",
            lambda w: {"pk": w.today_session.pk},
            expect(trainer=302, sesps=302),
            "post",
            lambda w: {f"reg-{w.today_registration.pk}": "ATTENDED"},
        ),
    ],
    "training:checkin_qr": [
        Case("a Tokyo session's QR code", lambda w: {"pk": w.today_session.pk}, expect(trainer=200, sesps=200))
    ],
    # The QR code's address: the token is the key to the page (ALTs only); checking in needs a place.
    "training:check_in": [
        Case("the session's code", _checkin, expect(owner=200, other_alt=200, other_branch_alt=200)),
        Case("checking in", _checkin, expect(owner=302, other_alt=409, other_branch_alt=409), "post"),
        Case("a made-up token", lambda w: {"pk": w.checkin_session.pk, "token": "x" * 32}, expect(), "post"),
    ],
    "training:session_calendar": [Case("the owner's registered session", _registered, expect(owner=200))],
    # --- onboarding: the ALT's own course and checklist ------------------------------------
    # Course content is shared by everyone enrolled in that course; only enrolled ALTs reach it.
    "onboarding:task": [
        Case("a task of the owner's course", lambda w: {"pk": w.reading_task.pk}, expect(owner=200)),
        Case("a task of an Osaka ALT's course", lambda w: {"pk": w.osaka_task.pk}, expect(other_branch_alt=200)),
    ],
    "onboarding:task_complete": [
        Case("a task of the owner's course", lambda w: {"pk": w.reading_task.pk}, expect(owner=302), "post"),
        Case(
            "a task of an Osaka ALT's course", lambda w: {"pk": w.osaka_task.pk}, expect(other_branch_alt=302), "post"
        ),
    ],
    "onboarding:quiz_submit": [
        Case(
            "the owner's quiz",
            lambda w: {"pk": w.quiz.pk},
            expect(owner=302),
            "post",
            lambda w: w.quiz_answers,
            prepare=lambda w: w.complete_readings(),
        )
    ],
    # The ALT who completed the course, and the staff who see them in the admin (their branch, or national).
    "onboarding:certificate_pdf": [
        Case(
            "the owner's completed course",
            lambda w: {"pk": w.certificate.pk},
            expect(owner=200, scheduler=200, trainer=200, mc=200, grm=200, sesps=200),
        ),
        Case("the owner's unfinished course", lambda w: {"pk": w.enrolment.pk}, expect()),
    ],
    # The step names a kind of step, not a row: each ALT ticks only their own, once arrived.
    "onboarding:checklist_tick": [
        Case(
            "the owner's city hall step",
            lambda w: {"kind": "CITY_HALL"},
            expect(owner=302),
            "post",
            lambda w: {"done": "on"},
        ),
        Case("a step that does not exist", lambda w: {"kind": "NOPE"}, expect(), "post", lambda w: {"done": "on"}),
    ],
    # "Ask for help" on a step: the owner's own checklist (the step is a kind, not a row), once arrived.
    "checklist_help": [
        Case("the owner's city hall step", lambda w: {"kind": "CITY_HALL"}, expect(owner=302), "post"),
        Case("a step that does not exist", lambda w: {"kind": "NOPE"}, expect(), "post"),
    ],
    # The token is the key (calendar apps cannot log in): whoever holds it reads the feed,
    # a reset token or a guessed one is 404 for everyone, signed in or not.
    "training:calendar_feed": [
        Case("the owner's current token", lambda w: {"token": w.feed.token}, expect(default=200, anonymous=200)),
        Case("the owner's reset (old) token", lambda w: {"token": w.retired_token}, expect(anonymous=404)),
        Case("a made-up token", lambda w: {"token": "x" * 43}, expect(anonymous=404)),
    ],
    # --- safety: the email's link is the key (no login), like the calendar feed; it dies with the check ---
    "safety:link": [
        Case("the owner's link", lambda w: {"token": w.safety_link}, expect(default=200, anonymous=200)),
        Case("the owner's link to a closed check", lambda w: {"token": w.closed_link}, expect(anonymous=404)),
        Case("a made-up link", lambda w: {"token": "WzEsMl0:" + "x" * 43}, expect(anonymous=404)),
        Case(
            "answering through the owner's link",
            lambda w: {"token": w.safety_link},
            expect(default=200, anonymous=200),
            "post",
            lambda w: {"status": "SAFE"},
        ),
    ],
    # The dashboard's buttons: each ALT the check asked answers for themselves; nobody else.
    "safety:answer": [
        Case(
            "a check that asked the owner",
            lambda w: {"check_id": w.safety_check.pk},
            expect(owner=302, other_alt=302),
            "post",
            lambda w: {"status": "SAFE"},
        ),
        Case(
            "a closed check",
            lambda w: {"check_id": w.closed_check.pk},
            expect(owner=409, other_alt=409),
            "post",
            lambda w: {"status": "SAFE"},
        ),
    ],
    "safety:checkin": [Case("the owner's check-in", lambda w: {"pk": w.checkin.pk}, expect(owner=200))],
    # allauth's email confirmation: email verification is off and keys are signed; a made-up
    # key confirms nothing for anyone.
    "account_confirm_email": [Case("a made-up key", lambda w: {"key": "MQ:made-up"}, expect(anonymous=404), "post")],
}

# URL patterns with an id or token whose access is tested elsewhere.
ELSEWHERE = {
    "account_reset_password_from_key": (
        "allauth's password reset / invitation key: contacts/tests/test_auth.py (invitation link, reset "
        "without enumeration) and interac_portal/tests/security/test_login.py (a used key is refused)"
    ),
}
# admin/ URLs are left out here: test_admin_scoping.py tries each admin's rows through change, history, delete,
# autocomplete, popups, actions and export, and every admin URL pattern (pages.admin_urls, which fails on one
# it cannot fill) on ALTs and on staff without a branch.


def _route_key(route) -> str:
    return route.name or route.route


def _params():
    params = []
    for route in routes_with_params():
        if route.is_admin or _route_key(route) in ELSEWHERE:
            continue
        cases = TABLE.get(_route_key(route))
        if not cases:
            params.append(pytest.param(route, None, id=f"{_route_key(route)}:MISSING"))
        for case in cases or []:
            params.append(pytest.param(route, case, id=f"{_route_key(route)}:{case.label}"))
    return params


def _outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
        return LOGIN
    return response.status_code


def _refused(expected) -> bool:
    return expected == LOGIN or expected >= 400


@pytest.mark.parametrize(("route", "case"), _params())
def test_each_person_gets_what_the_design_says(route, case, world):
    assert case is not None, (
        f"URL pattern {route.route!r} ({route.name}) takes {route.params} but is not in the object-access "
        "TABLE: say who may open it (or where it is tested, in ELSEWHERE)."
    )
    assert set(case.expect) == set(ROLES)
    url = reverse(route.name, kwargs=case.kwargs(world))
    # Refused people first, then those allowed (the owner last): the refusals must leave the world untouched.
    order = sorted(ROLES, key=lambda role: (not _refused(case.expect[role]), role == "owner"))
    before = db_snapshot()
    got, leaks, checked = {}, [], False
    for role in order:
        if not _refused(case.expect[role]) and not checked:
            leaks = snapshot_diff(before, db_snapshot())
            checked = True
            case.prepare(world)
        client = client_as(world.people[role])
        response = getattr(client, case.method)(url, case.data(world))
        got[role] = _outcome(response)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # closes the file the test client way
    if not checked:
        leaks = snapshot_diff(before, db_snapshot())
    wrong = {role: (got[role], case.expect[role]) for role in ROLES if got[role] != case.expect[role]}
    assert not wrong, f"{case.method.upper()} {url}: (got, expected) {wrong}"
    assert not leaks, f"refused people changed {leaks}"


def test_table_has_no_stale_rows():
    known = {_route_key(r) for r in routes_with_params()}
    assert set(TABLE) <= known, set(TABLE) - known
    assert set(ELSEWHERE) <= known, set(ELSEWHERE) - known
