"""/onboarding/: the timeline, what happens next, who to ask, course progress, the checklist."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import AltProfile
from onboarding.models import ChecklistItem, Stage
from onboarding.services import checklist_create_for_alt
from testing.onboarding import EnrolmentFactory, PlacementFactory, complete, make_course

URL = reverse("onboarding:index")


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_and_outsiders_get_404(client_for, staff_tokyo, outsider):
    assert client_for(staff_tokyo).get(URL).status_code == 404
    assert client_for(outsider).get(URL).status_code == 404


def test_post_is_refused(client_for, applicant):
    assert client_for(applicant).post(URL).status_code == 405


def test_applicant_sees_the_timeline_next_step_and_grm_to_ask(client_for, applicant, grm):
    PlacementFactory(alt=applicant, stage=Stage.INTERVIEWED, owner=grm)
    page = client_for(applicant).get(URL).content.decode()
    assert 'class="timeline' in page
    assert 'aria-current="step"' in page
    assert "Interviewed" in page
    assert "We will email you the result." in page
    assert "grm@example.com" in page
    assert "Pre-departure course" not in page


def test_confirmed_alt_is_told_to_ask_their_mc_and_waits_for_the_course(client_for, alt_tokyo, tokyo, mc_tokyo):
    PlacementFactory(alt=alt_tokyo, stage=Stage.CONFIRMED, branch=tokyo)
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert "mc.tokyo@example.com" in page
    assert "Managing Consultant" in page
    assert "opens about 30 days before you fly" in page


def test_enrolled_alt_sees_progress_per_module_overall_next_task_and_due_date(client_for, alt_tokyo, tokyo):
    profile = AltProfile.objects.get(user=alt_tokyo)
    profile.departure_date = profile.departure_date.replace(year=2031, month=4, day=10)
    profile.save()
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    course = make_course(tasks_per_module=(2, 1), with_quiz=True)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    first = course.modules.get(order=1).tasks.get(order=1)
    complete(enrolment, first)
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert "Overall: 1 of 4 tasks (25%)" in page
    assert "progress-bar pct-25" in page
    assert "progress-bar pct-50" in page  # module 1: 1 of 2
    assert "Wed 9 Apr 2031" in page  # due the day before departure
    assert "Continue: Task 1.2" in page


@pytest.mark.parametrize(
    "language, done, locked",
    [("en", "· Reading · done", "· Reading · locked"), ("ja", "· 読み物 · 完了", "· 読み物 · ロック中")],
)
def test_each_task_says_whether_it_is_done_or_locked(client_for, alt_tokyo, tokyo, language, done, locked):
    alt_tokyo.preferred_language = language
    alt_tokyo.save()
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    course = make_course(tasks_per_module=(3,), with_quiz=False)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    complete(enrolment, course.modules.get().tasks.get(order=1))
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert page.count(done) == 1  # task 1
    assert page.count(locked) == 1  # task 3 waits for task 2, which is open


def test_progress_ignores_retired_tasks_and_never_passes_100(client_for, alt_tokyo, tokyo):
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    course = make_course(tasks_per_module=(2,), with_quiz=False)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    first, second = course.modules.get().tasks.order_by("order")
    complete(enrolment, first)
    complete(enrolment, second)
    second.is_active = False
    second.save()
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert "Overall: 1 of 1 tasks (100%)" in page


def test_a_task_changed_in_a_new_version_must_be_redone(client_for, alt_tokyo, tokyo):
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    course = make_course(tasks_per_module=(2,), with_quiz=False)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    first, second = course.modules.get().tasks.order_by("order")
    complete(enrolment, first)
    complete(enrolment, second)
    course.version = 2
    course.save()
    second.version = 2
    second.save()
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert "Overall: 1 of 2 tasks (50%)" in page


def test_arrived_alt_sees_the_checklist_with_help_buttons(client_for, alt_tokyo, tokyo, monkeypatch):
    # Where "Ask for help" goes is the layer above's to say (interac_portal); a stand-in here.
    monkeypatch.setattr(
        "onboarding.checklist._help_url", lambda kind: f"/stand-in/{kind}/" if kind != "MEET_MC" else None
    )
    PlacementFactory(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo)
    page = client_for(alt_tokyo).get(URL).content.decode()
    assert "Arrival checklist" in page
    assert "Register your address at city hall" in page
    assert "Residence card" in page
    assert 'action="/stand-in/CITY_HALL/"' in page
    assert 'action="/stand-in/BANK_ACCOUNT/"' in page
    assert "/stand-in/MEET_MC/" not in page


def test_each_step_shows_its_due_date_and_those_past_due_are_marked(client_for, alt_tokyo, tokyo, time_machine):
    time_machine.move_to("2026-06-20 10:00 +09:00", tick=False)
    PlacementFactory(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo, arrival_date=date(2026, 6, 1))
    checklist_create_for_alt(alt_id=alt_tokyo.pk)
    ChecklistItem.objects.filter(alt=alt_tokyo, kind="MEET_MC").update(done_at=timezone.now())
    page = client_for(alt_tokyo).get(URL).content.decode()
    city_hall = page.split('data-step="CITY_HALL"')[1].split("</li>")[0]
    assert "Mon 15 Jun 2026" in city_hall and "Past due" in city_hall  # 14 days after arrival
    bank = page.split('data-step="BANK_ACCOUNT"')[1].split("</li>")[0]
    assert "Mon 29 Jun 2026" in bank and "Past due" not in bank
    meet_mc = page.split('data-step="MEET_MC"')[1].split("</li>")[0]
    assert "Done" in meet_mc and "Past due" not in meet_mc


def test_alt_without_placement_still_gets_a_page(client_for, alt_tokyo):
    response = client_for(alt_tokyo).get(URL)
    assert response.status_code == 200
    assert "has not been opened yet" in response.content.decode()


def test_japanese_page(client_for, applicant, grm):
    applicant.preferred_language = "ja"
    applicant.save()
    PlacementFactory(alt=applicant, stage=Stage.APPLIED, owner=grm)
    page = client_for(applicant).get(URL).content.decode()
    assert "次に何が起こるか" in page or "次のステップ" in page


@pytest.mark.parametrize("tasks", [1, 50])
def test_query_count_does_not_grow_with_tasks(client_for, alt_tokyo, tokyo, django_assert_max_num_queries, tasks):
    PlacementFactory(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo)
    course = make_course(tasks_per_module=(tasks,), with_quiz=True)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    for task in course.modules.get().tasks.all()[: tasks // 2 or 1]:
        complete(enrolment, task)
    client = client_for(alt_tokyo)
    client.get(URL)
    with django_assert_max_num_queries(8):
        assert client.get(URL).status_code == 200
