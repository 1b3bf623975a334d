"""The same form sent five times at the same moment (a double click, a flaky phone resending, two tabs)
creates one thing and sends one email: replies, requests, registrations, checklist ticks, attendance,
invitations, quiz answers and every admin add form. On PostgreSQL, each copy on its own thread and
connection; the admin's one-time form key is also tried one copy after the other (any database)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import Notification
from core.models import SubmittedForm
from onboarding.models import ChecklistItem, QuizAttempt, Stage
from onboarding.services import checklist_create_for_alt
from support.models import Message, SupportRequest
from testing.concurrency import run_together
from testing.contacts import make_alt
from testing.onboarding import EnrolmentFactory, PlacementFactory, make_course, quiz_answers
from testing.support import SupportRequestFactory
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import Registration, TrainingSession

COPIES = 5


def _clients(user, n=COPIES) -> list[Client]:
    clients = []
    for _ in range(n):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def _post_together(user, url, data) -> list[int]:
    statuses = []
    jobs = [lambda c=c: statuses.append(c.post(url, data).status_code) for c in _clients(user)]
    assert run_together(jobs) == []
    return statuses


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_five_identical_replies_make_one_message_and_one_email(postgres, alt_tokyo, mc_tokyo, mailoutbox):
    support_request = SupportRequestFactory(alt=alt_tokyo, assignee=mc_tokyo)
    statuses = _post_together(alt_tokyo, reverse("support:reply", args=[support_request.pk]), {"body": "Thank you!"})
    assert set(statuses) == {302}
    assert Message.objects.filter(support_request=support_request).count() == 1
    assert Notification.objects.filter(kind="support.alt_reply").count() == 1
    assert [m.to for m in mailoutbox] == [[mc_tokyo.email]]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_one_request_form_sent_five_times_at_once_opens_one_request(postgres, alt_tokyo, mc_tokyo, mailoutbox):
    client = Client()
    client.force_login(alt_tokyo)
    page = client.get(reverse("support:new")).content.decode()
    token = re.search(r'name="submit_token" value="([^"]+)"', page).group(1)
    data = {"category": "HOUSING", "subject": "Leak", "details": "Water.", "urgency": "HIGH", "submit_token": token}
    statuses = _post_together(alt_tokyo, reverse("support:new"), data)
    assert set(statuses) == {302}
    assert SupportRequest.objects.count() == 1
    assert Notification.objects.filter(kind="support.received").count() == 1
    assert Notification.objects.filter(kind="support.new").count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_five_registrations_at_once_are_one(postgres, tokyo, alt_tokyo):
    session = TrainingSessionFactory(branch=tokyo)
    statuses = _post_together(alt_tokyo, reverse("training:register", args=[session.pk]), {})
    assert set(statuses) == {302}
    assert Registration.objects.filter(session=session, alt=alt_tokyo).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_five_ticks_of_a_checklist_step_at_once_tick_it_once(postgres, tokyo, grm, alt_tokyo):
    PlacementFactory(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo, owner=grm)
    ChecklistItem.objects.all().delete()  # the step is created by the first tick
    statuses = _post_together(alt_tokyo, reverse("onboarding:checklist_tick", args=["CITY_HALL"]), {"done": "on"})
    assert set(statuses) == {302}
    item = ChecklistItem.objects.get(alt=alt_tokyo, kind="CITY_HALL")
    assert item.done_at is not None
    checklist_create_for_alt(alt_id=alt_tokyo.pk)
    assert ChecklistItem.objects.filter(alt=alt_tokyo, kind="CITY_HALL").count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_attendance_sent_five_times_at_once_tells_the_mc_once(postgres, tokyo, trainer_tokyo, alt_tokyo, mc_tokyo):
    start = timezone.now() - timedelta(minutes=30)
    session = TrainingSessionFactory(
        branch=tokyo, trainer=trainer_tokyo, required=True, start=start, registration_deadline=None
    )
    registration = RegistrationFactory(session=session, alt=alt_tokyo)
    url = reverse("training:attendance", args=[session.pk])
    statuses = _post_together(trainer_tokyo, url, {f"reg-{registration.pk}": "ABSENT"})
    assert set(statuses) == {302}
    registration.refresh_from_db()
    assert registration.status == "ABSENT"
    assert list(Notification.objects.filter(kind="training.absent").values_list("recipient", flat=True)) == [
        mc_tokyo.pk
    ]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_inviting_to_a_required_session_five_times_at_once_invites_each_alt_once(postgres, tokyo, sesps):
    alts = [make_alt(branch=tokyo, email=f"alt{n}@example.com") for n in range(3)]
    session = TrainingSessionFactory(branch=tokyo, required=False)
    TrainingSession.objects.filter(pk=session.pk).update(required=True)
    url = reverse("admin:training_trainingsession_changelist")
    data = {"action": "invite_alts", "_selected_action": [session.pk], "index": "0"}
    statuses = _post_together(sesps, url, data)
    assert set(statuses) == {302}
    assert Registration.objects.filter(session=session).count() == len(alts)
    assert Notification.objects.filter(kind="training.invited").count() == len(alts)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_account_invitation_sent_five_times_at_once_is_one_email(postgres, grm, applicant):
    url = reverse("admin:contacts_user_changelist")
    data = {"action": "send_invitation", "_selected_action": [applicant.pk], "index": "0"}
    statuses = _post_together(grm, url, data)
    assert set(statuses) == {302}
    assert Notification.objects.filter(kind="account.invitation", recipient=applicant).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_quiz_answers_sent_five_times_at_once_are_one_attempt(postgres, alt_tokyo):
    course = make_course(tasks_per_module=(0,), with_quiz=True)
    quiz = course.modules.get().tasks.get()
    EnrolmentFactory(alt=alt_tokyo, course=course)
    wrong = {f"q{question}": choices for question, choices in quiz_answers(quiz, right=False).items()}
    wrong["attempt"] = "1"
    statuses = _post_together(alt_tokyo, reverse("onboarding:quiz_submit", args=[quiz.pk]), wrong)
    # The first is graded and leads back to the quiz; the others are told the answers were already sent.
    assert sorted(statuses) == [302, 409, 409, 409, 409]
    assert QuizAttempt.objects.filter(task=quiz).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_admin_add_form_sent_five_times_at_once_creates_one_row(postgres, tokyo, trainer_tokyo):
    client = Client()
    client.force_login(trainer_tokyo)
    add = reverse("admin:training_trainingsession_add")
    key = re.search(r'name="form_key" value="([^"]+)"', client.get(add).content.decode()).group(1)
    start = timezone.localtime(timezone.now() + timedelta(days=9))
    data = {
        "kind": "BRANCH_TRAINING",
        "title": "Phonics",
        "branch": tokyo.pk,
        "trainer": trainer_tokyo.pk,
        "start_0": start.strftime("%Y-%m-%d"),
        "start_1": "10:00",
        "end_0": start.strftime("%Y-%m-%d"),
        "end_1": "12:00",
        "place": "Room 1",
        "capacity": "10",
        "status": "SCHEDULED",
        "form_key": key,
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
    }
    statuses = _post_together(trainer_tokyo, add, data)
    assert set(statuses) == {302}
    assert TrainingSession.objects.filter(title="Phonics").count() == 1
    assert SubmittedForm.objects.filter(key=key).count() == 1


def test_an_admin_add_form_sent_again_creates_nothing_more(client_for, superuser):
    from contacts.models import Branch

    client = client_for(superuser)
    add = reverse("admin:contacts_branch_add")
    key = re.search(r'name="form_key" value="([^"]+)"', client.get(add).content.decode()).group(1)
    data = {
        "code": "kobe",
        "name_en": "Kobe",
        "name_ja": "神戸支店",
        "phone": "078-000-0000",
        "emergency_phone": "090-0000-0000",
        "office_opens": "09:00",
        "office_closes": "18:00",
        "office_days": "12345",
        "form_key": key,
    }
    first = client.post(add, data)
    assert first.status_code == 302
    again = client.post(add, data, follow=True)
    assert again.status_code == 200
    assert "This form was sent more than once" in again.content.decode()
    assert Branch.objects.filter(code="kobe").count() == 1
    # A fresh form (a new key) is a new branch: here refused by the form for its code, as always.
    fresh = client.post(add, {**data, "form_key": ""})
    assert fresh.status_code == 200 and "already exists" in fresh.content.decode()
