"""send_elearning_invitations and send_elearning_nudges: once each, on time, in a fixed number of queries."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from contacts.models import Notification
from onboarding.models import Enrolment, Stage
from onboarding.services import placement_update
from onboarding.tasks import send_elearning_invitations, send_elearning_nudges
from testing.contacts import make_alt
from testing.onboarding import PlacementFactory, complete, make_course

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2030, 3, 1, 9, 0, tzinfo=TOKYO)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def course(db):
    return make_course(tasks_per_module=(4,), with_quiz=False)


def make_confirmed(email, *, days_to_departure, stage=Stage.CONFIRMED, branch=None):
    alt = make_alt(email=email, branch=branch)
    departure = NOW.date() + timedelta(days=days_to_departure)
    PlacementFactory(alt=alt, stage=stage, branch=branch, departure_date=departure)
    return alt


def test_confirmed_alts_departing_within_30_days_are_enrolled_and_invited_once(
    clock, course, tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    soon = make_confirmed("soon@example.com", days_to_departure=30, branch=tokyo)
    pre = make_confirmed("pre@example.com", days_to_departure=5, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    make_confirmed("later@example.com", days_to_departure=31, branch=tokyo)
    make_confirmed("gone@example.com", days_to_departure=-1, branch=tokyo)
    applicant = make_alt(email="applicant@example.com")
    PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, departure_date=NOW.date() + timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_elearning_invitations() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert send_elearning_invitations() == 0
    assert sorted(m.to[0] for m in mailoutbox) == ["pre@example.com", "soon@example.com"]
    assert set(Enrolment.objects.values_list("alt__email", flat=True)) == {"soon@example.com", "pre@example.com"}
    invitation = next(m for m in mailoutbox if m.to == [soon.email])
    assert "Sat 30 Mar 2030" in invitation.body  # due the day before departure
    assert "/onboarding/" in invitation.body
    assert Enrolment.objects.get(alt=pre).invited_at is not None


def test_a_departure_moved_on_the_placement_moves_the_invitation(
    clock, course, tokyo, grm, mailoutbox, django_capture_on_commit_callbacks
):
    """GRM plans the flights (placement_update, the placement page): the invitations follow the new dates."""
    sooner = make_confirmed("sooner@example.com", days_to_departure=45, branch=tokyo)
    postponed = make_confirmed("postponed@example.com", days_to_departure=10, branch=tokyo)
    placement_update(placement=sooner.placement, by=grm, departure_date=NOW.date() + timedelta(days=20))
    placement_update(placement=postponed.placement, by=grm, departure_date=NOW.date() + timedelta(days=60))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_elearning_invitations() == 1
    (invitation,) = mailoutbox
    assert invitation.to == ["sooner@example.com"]
    assert "Wed 20 Mar 2030" in invitation.body  # due the day before the new departure


def test_invitation_in_japanese_for_a_japanese_speaker(clock, course, tokyo, mailoutbox):
    alt = make_confirmed("ja@example.com", days_to_departure=10, branch=tokyo)
    alt.preferred_language = "ja"
    alt.save()
    send_elearning_invitations()
    invitation = Notification.objects.get(recipient=alt)
    assert invitation.language == "ja"
    assert "出発前研修" in invitation.subject
    assert "様" in invitation.body and "2030年3月10日(日)" in invitation.body


def test_no_course_no_invitations(clock, tokyo, db):
    make_confirmed("soon@example.com", days_to_departure=10, branch=tokyo)
    assert send_elearning_invitations() == 0


def enrol_behind(email, *, days_to_departure, enrolled_days_ago, course, branch, done=0):
    alt = make_confirmed(email, days_to_departure=days_to_departure, branch=branch)
    enrolment = Enrolment.objects.create(
        alt=alt,
        course=course,
        enrolled_at=timezone.now() - timedelta(days=enrolled_days_ago),
        invited_at=timezone.now() - timedelta(days=enrolled_days_ago),
    )
    for task in list(course.modules.get().tasks.order_by("order"))[:done]:
        complete(enrolment, task)
    return enrolment


def test_nudges_go_to_those_behind_at_most_every_3_days_and_never_after_departure(
    clock, course, tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    # 20 of 30 days gone, none done: behind.
    enrol_behind("behind@example.com", days_to_departure=11, enrolled_days_ago=20, course=course, branch=tokyo)
    # 20 of 30 days gone, 3 of 4 done: on track.
    enrol_behind("ontrack@example.com", days_to_departure=11, enrolled_days_ago=20, course=course, branch=tokyo, done=3)
    # Departs today: no more reminders.
    enrol_behind("leaving@example.com", days_to_departure=0, enrolled_days_ago=29, course=course, branch=tokyo)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_elearning_nudges() == 1
        assert send_elearning_nudges() == 0
    assert [m.to for m in mailoutbox] == [["behind@example.com"]]
    assert "0 of 4" in mailoutbox[0].body

    clock.move_to(NOW + timedelta(days=2), tick=False)
    assert send_elearning_nudges() == 0
    clock.move_to(NOW + timedelta(days=3), tick=False)
    send_elearning_nudges()
    nudges = Notification.objects.filter(kind="onboarding.elearning_nudge", recipient__email="behind@example.com")
    assert nudges.count() == 2
    assert not Notification.objects.filter(recipient__email="leaving@example.com").exists()


def test_nothing_for_those_who_finished(clock, course, tokyo):
    enrol_behind("done@example.com", days_to_departure=5, enrolled_days_ago=25, course=course, branch=tokyo, done=4)
    assert send_elearning_nudges() == 0


def test_a_task_added_after_finishing_makes_the_alt_behind_again(clock, course, tokyo):
    from testing.onboarding import TaskFactory

    enrolment = enrol_behind(
        "was.done@example.com", days_to_departure=5, enrolled_days_ago=25, course=course, branch=tokyo, done=4
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=timezone.now() - timedelta(days=1))
    TaskFactory(module=course.modules.get(), order=99)
    assert send_elearning_nudges() == 1


def test_a_task_cannot_be_newer_than_its_course(course):
    from django.core.exceptions import ValidationError

    task = course.modules.get().tasks.first()
    task.version = course.version + 1
    with pytest.raises(ValidationError) as refused:
        task.full_clean()
    assert "version" in refused.value.message_dict


@pytest.mark.parametrize("alts", [1, 50])
def test_each_run_is_a_fixed_number_of_queries(clock, course, tokyo, django_assert_max_num_queries, alts):
    for n in range(alts):
        enrol_behind(f"alt{n}@example.com", days_to_departure=11, enrolled_days_ago=20, course=course, branch=tokyo)
        make_confirmed(f"new{n}@example.com", days_to_departure=12, branch=tokyo)
    with django_assert_max_num_queries(12):
        send_elearning_invitations()
    with django_assert_max_num_queries(12):
        send_elearning_nudges()
    assert Notification.objects.filter(kind="onboarding.elearning_invitation").count() == alts
    assert Notification.objects.filter(kind="onboarding.elearning_nudge").count() == alts


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(postgres, clock, tokyo):
    course = make_course(tasks_per_module=(4,), with_quiz=False)
    for n in range(20):
        make_confirmed(f"alt{n}@example.com", days_to_departure=10, branch=tokyo)
        enrol_behind(f"late{n}@example.com", days_to_departure=11, enrolled_days_ago=20, course=course, branch=tokyo)
    barrier = threading.Barrier(2)
    errors = []

    def worker(job):
        try:
            barrier.wait(timeout=10)
            job()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    for job in (send_elearning_invitations, send_elearning_nudges):
        threads = [threading.Thread(target=worker, args=(job,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors
    assert Notification.objects.filter(kind="onboarding.elearning_invitation").count() == 20
    assert Notification.objects.filter(kind="onboarding.elearning_nudge").count() == 20
    assert Enrolment.objects.filter(alt__email__startswith="alt").count() == 20
