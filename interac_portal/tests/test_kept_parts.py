"""ALTs' pages kept under version tokens (core.versions): the next page after any kind of write shows it.

On in production with Redis; here on for each test, with the test run's cache (Redis in CI, memory otherwise).
Each kind of write is tried once: a save through a service, an update(), a bulk_create() of a task, a
many-to-many write, another ALT's registration, an admin's change of content, and the raw statement of
"I'm safe".
"""

import re
from datetime import timedelta

import pytest
from django.core import checks
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from contacts.models import AltProfile
from core import versions
from core.checks import check_versions_declared
from onboarding.models import Course, Placement, Stage
from safety.models import AnswerStatus, SafetyAnswer
from safety.services import safety_answer_record, safety_check_fan_out, safety_check_start
from support.models import SupportRequest
from support.services import message_post_by_alt, support_request_mark_seen_by_alt
from testing.caches import UNREACHABLE
from testing.contacts import make_alt
from testing.kept import kept_parts_on, page_and_queries
from testing.onboarding import EnrolmentFactory, PlacementFactory, make_course
from testing.support import MessageFactory, SupportRequestFactory
from testing.training import RegistrationFactory, TrainingSessionFactory

DASHBOARD = "/"
SUPPORT = reverse("support:list")
TRAINING = reverse("training:index")
ONBOARDING = reverse("onboarding:index")


@pytest.fixture(autouse=True)
def _kept_parts_on(settings):
    kept_parts_on(settings)


def _page(client, url=DASHBOARD) -> tuple[int, str]:
    return page_and_queries(client, url)


def _settled(client, url=DASHBOARD) -> tuple[int, str]:
    """Ask until the page is kept (the first request also writes the session); the queries and page of the last."""
    _page(client, url)
    _page(client, url)
    return _page(client, url)


def test_a_kept_dashboard_reads_none_of_its_cards_rows_and_shows_the_same(client_for, alt_tokyo):
    SupportRequestFactory(alt=alt_tokyo, subject="Bank account")
    client = client_for(alt_tokyo)
    built, first = _page(client)
    kept, again = _settled(client)
    assert kept < built - 4
    assert _without_csrf(again) == _without_csrf(first) and "Bank account" in again


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_staff_reply_shows_on_the_alts_next_dashboard_and_list(client_for, alt_tokyo, staff_tokyo):
    request = SupportRequestFactory(alt=alt_tokyo, subject="City hall")
    client = client_for(alt_tokyo)
    _settled(client)
    _settled(client, SUPPORT)
    # A reply as the admin saves it (a Message row, then the request's reply time through update()).
    MessageFactory(support_request=request, author=staff_tokyo, body="Bring your residence card.")
    SupportRequest.objects.filter(pk=request.pk).update(last_staff_reply_at=timezone.now())
    assert "New reply" in _page(client)[1]
    assert "New reply" in _page(client, SUPPORT)[1]
    # Seen: update() of one column, and the badge goes from every page.
    request.refresh_from_db()
    support_request_mark_seen_by_alt(support_request=request, up_to=request.last_staff_reply_at)
    assert "New reply" not in _page(client)[1]
    assert "New reply" not in _page(client, SUPPORT)[1]


def test_the_alts_own_message_on_one_device_shows_on_the_other(alt_tokyo):
    request = SupportRequestFactory(alt=alt_tokyo, subject="Mobile phone")
    phone, laptop = Client(), Client()
    phone.force_login(alt_tokyo)
    laptop.force_login(alt_tokyo)
    url = reverse("support:detail", args=[request.pk])
    _settled(laptop, SUPPORT)
    message_post_by_alt(support_request=request, author=alt_tokyo, body="Which shop do you suggest?")
    assert "Which shop do you suggest?" in _page(laptop, url)[1]


def test_a_safety_check_started_reaches_every_alts_kept_dashboard(
    client_for, alt_tokyo, alt_osaka, sesps, tokyo, osaka, django_capture_on_commit_callbacks
):
    clients = [client_for(alt_tokyo), client_for(alt_osaka)]
    for client in clients:
        _settled(client)
    check = safety_check_start(
        by=sesps, title="Earthquake in Kanto", message="Are you safe?", reason="EARTHQUAKE", branches=[tokyo, osaka],
        prefectures=[],
    )  # fmt: skip
    safety_check_fan_out(check_id=check.pk)  # the answer rows: one bulk_create()
    for client in clients:
        assert "Earthquake in Kanto" in _page(client)[1]
    # "I'm safe" (one raw statement on PostgreSQL, a transaction elsewhere): the card goes.
    safety_answer_record(check_id=check.pk, alt_id=alt_tokyo.pk, status=AnswerStatus.SAFE, note="", channel="WEB")
    assert SafetyAnswer.objects.get(alt=alt_tokyo).status == AnswerStatus.SAFE
    assert "Earthquake in Kanto" not in _page(clients[0])[1]
    assert "Earthquake in Kanto" in _page(clients[1])[1]


def test_another_alts_registration_changes_the_places_taken(client_for, alt_tokyo, tokyo):
    session = TrainingSessionFactory(branch=tokyo, capacity=10, start=timezone.now() + timedelta(days=5))
    client = client_for(alt_tokyo)
    assert "0 of 10 places taken" in _settled(client, TRAINING)[1]
    RegistrationFactory(session=session, alt=make_alt(branch=tokyo, email="colleague@example.com"))
    assert "1 of 10 places taken" in _page(client, TRAINING)[1]


def test_a_course_renamed_in_the_admin_shows_on_the_onboarding_page(client_for, alt_tokyo):
    course = make_course()
    EnrolmentFactory(alt=alt_tokyo, course=course)
    client = client_for(alt_tokyo)
    _settled(client, ONBOARDING)
    renamed = Course.objects.get(pk=course.pk)
    renamed.title_en = "Life in Japan, second edition"
    renamed.save()
    assert "Life in Japan, second edition" in _page(client, ONBOARDING)[1]


def test_a_profile_written_with_update_shows_on_the_next_page(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    _settled(client)
    AltProfile.objects.filter(user=alt_tokyo).update(branch=None)
    assert "Your placement is being arranged" in _page(client)[1]


def test_the_japanese_page_is_not_the_english_one_kept(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    assert "My support team" in _settled(client)[1]
    client.post(reverse("contacts:set_language"), {"language": "ja", "next": "/"})
    page = _page(client)[1]
    assert "My support team" not in page and "サポートチーム" in page


def test_each_session_posts_the_kept_page_with_its_own_csrf_field(alt_tokyo, tokyo):
    session = TrainingSessionFactory(branch=tokyo, capacity=10, start=timezone.now() + timedelta(days=5))
    phone, laptop = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for client in (phone, laptop):
        client.force_login(alt_tokyo)
    assert "0 of 10 places taken" in _settled(phone, TRAINING)[1]
    page = _page(laptop, TRAINING)[1]
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = laptop.post(reverse("training:register", args=[session.pk]), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "0 of 10 places taken" not in _page(phone, TRAINING)[1]  # registered: under "My sessions" now


def test_what_the_clock_changes_shows_within_five_minutes(client_for, alt_tokyo, tokyo, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client = client_for(alt_tokyo)
    kept = _settled(client)[0]
    time_machine.shift(timedelta(seconds=versions.CLOCK_STEP))
    assert _page(client)[0] > kept  # built again


def test_with_redis_unreachable_every_page_is_built(client_for, alt_tokyo):
    SupportRequestFactory(alt=alt_tokyo, subject="Doctor")
    with override_settings(CACHES=UNREACHABLE, SESSION_ENGINE="core.sessions.db"):
        client = client_for(alt_tokyo)
        counts = [_page(client)[0] for _ in range(3)]
        SupportRequestFactory(alt=alt_tokyo, subject="Apartment")
        page = _page(client)[1]
    assert counts[1] == counts[2] > 5
    assert "Apartment" in page or "2 open requests" in page


def test_a_model_that_declares_nothing_fails_the_system_check(monkeypatch):
    assert check_versions_declared() == []
    monkeypatch.delitem(versions._registry, Course)
    (error,) = check_versions_declared()
    assert error.id == "core.E010" and error.obj is Course and error.level == checks.ERROR


def test_the_audit_tells_a_write_that_renews_no_token(client_for, alt_tokyo, settings):
    """`KEPT_PARTS_AUDIT=1 make test` builds every kept part again and compares: a write behind the models'
    back (here raw SQL, which no model declares) fails the page that shows it."""
    settings.KEPT_PARTS_VERIFY = True
    request = SupportRequestFactory(alt=alt_tokyo, subject="Bank account")
    client = client_for(alt_tokyo)
    _settled(client, SUPPORT)
    table = SupportRequest._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET subject = %s WHERE id = %s", ["Post office account", request.pk])
    with pytest.raises(versions.StalePart):
        client.get(SUPPORT)


def test_a_placement_given_to_another_alt_leaves_the_first_alts_page(client_for, alt_tokyo, tokyo, grm):
    placement = PlacementFactory(alt=alt_tokyo, branch=tokyo, stage=Stage.CONFIRMED)
    client = client_for(alt_tokyo)
    before = _settled(client, ONBOARDING)[1]
    corrected = Placement.objects.get(pk=placement.pk)  # as the admin's change form saves it
    corrected.alt = make_alt(branch=tokyo, email="the.right.alt@example.com")
    corrected.save()
    assert _without_csrf(_page(client, ONBOARDING)[1]) != _without_csrf(before)
    assert _without_csrf(_page(client, ONBOARDING)[1]) == _without_csrf(
        _page(client_for(alt_tokyo), ONBOARDING)[1]
    )  # as a page built afresh shows it


def _submit_token(page: str) -> str:
    return page.split('name="submit_token" value="', 1)[1].split('"', 1)[0]


def test_a_kept_request_page_shows_the_next_reply_gives_each_form_its_own_token_and_no_one_else_sees_it(
    client_for, alt_tokyo, alt_osaka, staff_tokyo
):
    request = SupportRequestFactory(alt=alt_tokyo, subject="Residence card")
    url = reverse("support:detail", args=[request.pk])
    client = client_for(alt_tokyo)
    built = _page(client, url)[0]
    kept, page = _settled(client, url)
    assert kept < built and _submit_token(page) != _submit_token(_page(client, url)[1])
    assert client_for(alt_osaka).get(url).status_code == 404
    MessageFactory(support_request=request, author=staff_tokyo, body="Your card is ready at the ward office.")
    assert "Your card is ready at the ward office." in _page(client, url)[1]


def test_a_write_renews_its_tokens_again_when_it_commits(alt_tokyo, django_capture_on_commit_callbacks):
    """A page built from rows read before the commit is never kept under a token current after it."""
    token = versions.token_key(versions.alt(alt_tokyo.pk))
    with django_capture_on_commit_callbacks(execute=True):
        SupportRequestFactory(alt=alt_tokyo, subject="Apartment")
        at_the_write = cache.get(token)
    assert at_the_write is not None and cache.get(token) not in (None, at_the_write)


def test_tokens_lost_with_the_cache_keep_nothing_from_before(client_for, alt_tokyo):
    client = client_for(alt_tokyo)
    kept = _settled(client)[0]
    cache.delete_many([versions.token_key(versions.EVERYONE), versions.token_key(versions.alt(alt_tokyo.pk))])
    assert _page(client)[0] > kept  # built again, under new tokens
    assert _settled(client)[0] == kept


def test_a_request_given_to_another_alt_with_update_moves_between_their_lists(client_for, alt_tokyo, tokyo):
    SupportRequestFactory(alt=alt_tokyo, subject="Meant for someone else")
    owner = make_alt(branch=tokyo, email="the.owner@example.com")
    client, owners = client_for(alt_tokyo), client_for(owner)
    assert "Meant for someone else" in _settled(client, SUPPORT)[1]
    assert "Meant for someone else" not in _settled(owners, SUPPORT)[1]
    SupportRequest.objects.filter(alt=alt_tokyo).update(alt=owner)
    assert "Meant for someone else" not in _page(client, SUPPORT)[1]
    assert "Meant for someone else" in _page(owners, SUPPORT)[1]
