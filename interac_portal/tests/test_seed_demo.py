from datetime import timedelta
from html import unescape

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from contacts.models import AltProfile, StaffRole, User
from onboarding.models import Placement, Stage
from support.models import SupportRequest

ACCOUNTS = [
    "admin@example.com",
    "grm@example.com",
    "sesps@example.com",
    "mc.tokyo@example.com",
    "staff.tokyo@example.com",
    "trainer.tokyo@example.com",
    "alt.tokyo@example.com",
    "mc.osaka@example.com",
    "staff.osaka@example.com",
    "trainer.osaka@example.com",
    "alt.osaka@example.com",
    "alt.predeparture@example.com",
    "alt.applicant@example.com",
]


def _counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}


def test_seed_demo_creates_the_contract_accounts_and_is_idempotent(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert set(User.objects.values_list("email", flat=True)) >= set(ACCOUNTS)
    assert User.objects.get(email="admin@example.com").is_superuser
    assert AltProfile.objects.get(user__email="alt.applicant@example.com").branch is None
    predeparture = AltProfile.objects.get(user__email="alt.predeparture@example.com")
    assert predeparture.branch.code == "tokyo"
    assert (predeparture.departure_date - predeparture.arrival_date).days in (-1, 0)
    assert Group.objects.filter(name="Schedulers").exists()
    response = client.post("/accounts/login/", {"login": "alt.tokyo@example.com", "password": "portal-demo-2026"})
    assert response.status_code == 302


def _task_body(page: str) -> str:
    return page.split('<div class="task-body mb-3">', 1)[1].split("</div>", 1)[0]


def test_seed_demo_loads_the_pre_departure_course_an_alt_can_take(db, settings, client):
    from onboarding.models import Course, Task

    settings.DEBUG = True
    call_command("seed_demo")
    course = Course.objects.get(is_current=True)
    titles = [m.title_en for m in course.modules.order_by("order")]
    topics = [
        ["Life in Japan"],
        ["School culture", "role"],
        ["first days", "residence card", "city hall", "phone", "bank"],
        ["Health", "well-being"],
        ["orientation"],
    ]
    assert len(titles) == len(topics)
    for title, words in zip(titles, topics, strict=True):
        assert all(word.lower() in title.lower() for word in words), (title, words)

    # alt.tokyo finished the course before flying, so every task opens for them.
    client.force_login(User.objects.get(email="alt.tokyo@example.com"))
    quizzes = Task.objects.filter(module__course=course, kind=Task.Kind.QUIZ, is_active=True)
    assert quizzes.exists()
    for quiz in quizzes:
        questions = list(quiz.questions.prefetch_related("choices"))
        assert questions, quiz.title_en
        for question in questions:
            assert {choice.is_correct for choice in question.choices.all()} == {True, False}, question.text_en
        # Read as text: Jinja2 writes an apostrophe as &#39;, Django's escape as &#x27;.
        page = unescape(client.get(reverse("onboarding:task", args=[quiz.pk])).content.decode())
        assert "Submit answers" in page or "You have completed this task." in page
        # A quiz with a pool asks some of its questions in each attempt.
        shown = [question for question in questions if question.text_en in page]
        assert len(shown) == min(quiz.questions_per_attempt or len(questions), len(questions)), quiz.title_en

    wellbeing = course.modules.get(order=4)
    pages = [client.get(reverse("onboarding:task", args=[t.pk])).content.decode() for t in wellbeing.tasks.all()]
    where = reverse("contacts:wellbeing")
    assert any("counselling line" in body and where in body for body in map(_task_body, pages)), (
        "no task of the well-being module names the counselling line and where to find it"
    )
    line = client.get(reverse("contacts:wellbeing"))
    assert line.status_code == 200
    assert settings.WELLBEING_LINE["phone"] in line.content.decode()


ROLES = {
    "grm@example.com": "GRM",
    "sesps@example.com": "SESPS",
    "mc.tokyo@example.com": "MC",
    "staff.tokyo@example.com": "SCHEDULER",
    "trainer.tokyo@example.com": "TRAINER",
    "mc.osaka@example.com": "MC",
    "staff.osaka@example.com": "SCHEDULER",
    "trainer.osaka@example.com": "TRAINER",
}


def test_seed_demo_gives_each_account_its_contract_role_state_and_password(db, settings, client, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "another-Demo-pass-9")
    call_command("seed_demo")
    for email, role in ROLES.items():
        roles = set(StaffRole.objects.filter(user__email=email).values_list("role", flat=True))
        assert roles == {role}, (email, roles)
        branch = email.split("@")[0].split(".")[-1]
        if branch in ("tokyo", "osaka"):
            assert StaffRole.objects.get(user__email=email).branch.code == branch
    today = timezone.localdate()
    predeparture = Placement.objects.get(alt__email="alt.predeparture@example.com")
    assert predeparture.stage in (Stage.CONFIRMED, Stage.PRE_DEPARTURE) and predeparture.branch.code == "tokyo"
    assert predeparture.alt.alt_profile.departure_date == today + timedelta(days=20)
    assert Placement.objects.get(alt__email="alt.applicant@example.com").branch is None
    for email in ("alt.tokyo@example.com", "alt.osaka@example.com"):
        assert SupportRequest.objects.filter(alt__email=email).exclude(status__in=["RESOLVED", "CLOSED"]).exists()
    assert (
        client.post("/accounts/login/", {"login": "grm@example.com", "password": "another-Demo-pass-9"})["Location"]
        != "/accounts/login/"
    )
    assert "_auth_user_id" in client.session


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.filter(email="alt.tokyo@example.com").exists()
    call_command("seed_demo", force=True)
    assert User.objects.filter(email="alt.tokyo@example.com").exists()


def test_seed_demo_shows_handovers_tracks_and_checklist_deadlines(db, settings, client_for):
    from onboarding.models import Handover
    from onboarding.selectors import checklist_items_past_due_for_mc

    settings.DEBUG = True
    call_command("seed_demo")
    people = {u.email: u for u in User.objects.all()}
    waiting = Handover.objects.get(acknowledged_at__isnull=True)
    assert waiting.placement.alt.email == "alt.predeparture@example.com"
    assert waiting.mc.email == "mc.tokyo@example.com" and waiting.placement.arrival_flight
    assert Handover.objects.filter(acknowledged_at__isnull=False).count() == 2
    tracks = dict(AltProfile.objects.values_list("user__email", "orientation_track"))
    assert tracks["alt.tokyo@example.com"] == "FLAGSHIP" and tracks["alt.applicant@example.com"] == "ALTERNATE"
    assert checklist_items_past_due_for_mc(user=people["mc.tokyo@example.com"]).exists()
    dashboard = client_for(people["alt.tokyo@example.com"]).get("/").content.decode()
    assert "is resolved: mark the step done?" in dashboard
    assert 'data-testid="checklist-past-due"' in dashboard
    handovers = client_for(people["grm@example.com"]).get(
        reverse("admin:onboarding_handover_changelist"), {"state": "waiting"}
    )
    assert "alt.predeparture@example.com" in handovers.content.decode()


def test_seed_demo_prints_the_password_itself(db, monkeypatch, settings):
    import io

    from django.core.management import call_command

    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "kobe-harbour-2026")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Password: kobe-harbour-2026" in out.getvalue()
    assert "DEMO_PASSWORD" not in out.getvalue()
