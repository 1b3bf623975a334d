"""Staff follow each ALT's e-learning in the admin, mark a task complete with a reason, export CSV."""

import csv
import io

import pytest
from django.urls import reverse

from onboarding.models import Task, TaskCompletion
from testing.contacts import make_alt
from testing.onboarding import EnrolmentFactory, complete, make_course

ENROLMENTS = reverse("admin:onboarding_enrolment_changelist")
MARK = reverse("admin:onboarding_taskcompletion_add")


@pytest.fixture
def course(db):
    return make_course(tasks_per_module=(3,), with_quiz=True)


@pytest.fixture
def enrolments(alt_tokyo, alt_osaka, course):
    tokyo_enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    complete(tokyo_enrolment, course.modules.get().tasks.order_by("order").first())
    return {"tokyo": tokyo_enrolment, "osaka": EnrolmentFactory(alt=alt_osaka, course=course)}


def test_branch_staff_see_their_alts_progress_only(client_for, staff_tokyo, enrolments):
    page = client_for(staff_tokyo).get(ENROLMENTS).content.decode()
    assert "1/4 (25%)" in page
    assert str(enrolments["tokyo"].alt) in page
    assert str(enrolments["osaka"].alt) not in page
    detail = reverse("admin:onboarding_enrolment_change", args=[enrolments["osaka"].pk])
    assert client_for(staff_tokyo).get(detail).status_code == 404


def test_progress_detail_lists_each_task(client_for, grm, enrolments):
    detail = reverse("admin:onboarding_enrolment_change", args=[enrolments["tokyo"].pk])
    page = client_for(grm).get(detail).content.decode()
    assert "Overall: 1/4 (25%)" in page
    assert "Mark a task complete for this ALT" in page


def test_staff_mark_a_task_complete_with_who_and_why(client_for, mc_tokyo, enrolments, course):
    quiz = Task.objects.get(module__course=course, kind=Task.Kind.QUIZ)
    response = client_for(mc_tokyo).post(
        MARK, {"enrolment": enrolments["tokyo"].pk, "task": quiz.pk, "reason": "Did the quiz on paper at the office"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    completion = TaskCompletion.objects.get(enrolment=enrolments["tokyo"], task=quiz)
    assert completion.marked_by == mc_tokyo
    assert completion.reason == "Did the quiz on paper at the office"


def test_marking_needs_a_reason_and_a_task_of_the_course(client_for, mc_tokyo, enrolments, course):
    other = make_course(tasks_per_module=(1,), with_quiz=False, current=False)
    task = Task.objects.filter(module__course=course).first()
    client = client_for(mc_tokyo)
    assert client.post(MARK, {"enrolment": enrolments["tokyo"].pk, "task": task.pk, "reason": ""}).status_code == 200
    foreign = Task.objects.get(module__course=other)
    response = client.post(MARK, {"enrolment": enrolments["tokyo"].pk, "task": foreign.pk, "reason": "x"})
    assert response.status_code == 200
    assert not TaskCompletion.objects.filter(marked_by=mc_tokyo).exists()


def test_staff_cannot_mark_for_another_branchs_alt(client_for, mc_tokyo, enrolments, course):
    task = Task.objects.filter(module__course=course).first()
    response = client_for(mc_tokyo).post(MARK, {"enrolment": enrolments["osaka"].pk, "task": task.pk, "reason": "x"})
    assert response.status_code == 200  # the form refuses an enrolment outside the scope
    assert not TaskCompletion.objects.filter(enrolment=enrolments["osaka"]).exists()


def test_export_progress_as_csv(client_for, grm, enrolments):
    response = client_for(grm).post(
        ENROLMENTS,
        {"action": "export_progress_csv", "_selected_action": [e.pk for e in enrolments.values()]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["alt.tokyo@example.com"]["tasks_done"] == "1"
    assert rows["alt.tokyo@example.com"]["percent"] == "25"
    assert rows["alt.osaka@example.com"]["percent"] == "0"


@pytest.mark.parametrize("rows", [1, 50])
def test_enrolment_list_query_count_does_not_grow(client_for, grm, tokyo, course, django_assert_max_num_queries, rows):
    for n in range(rows):
        EnrolmentFactory(alt=make_alt(email=f"a{n}@example.com", branch=tokyo), course=course)
    client = client_for(grm)
    client.get(ENROLMENTS)
    with django_assert_max_num_queries(12):
        assert client.get(ENROLMENTS).status_code == 200


def test_the_placement_page_shows_course_progress(client_for, grm, enrolments, tokyo):
    from onboarding.models import Stage
    from testing.onboarding import PlacementFactory

    placement = PlacementFactory(alt=enrolments["tokyo"].alt, stage=Stage.ARRIVED, branch=tokyo)
    page = client_for(grm).get(reverse("admin:onboarding_placement_change", args=[placement.pk])).content.decode()
    assert "Pre-departure course: 1 of 4 tasks (25%)" in page
    assert "Arrival checklist: 0 of 8 steps" in page


def test_staff_mark_a_task_the_alt_must_redo_after_it_changed(client_for, mc_tokyo, enrolments, course):
    """The ALT's completion predates the task's new version: marking updates it rather than refusing a duplicate."""
    task = Task.objects.filter(module__course=course).order_by("order").first()
    task.version = 2
    task.save()
    course.version = 2
    course.save()
    response = client_for(mc_tokyo).post(
        MARK, {"enrolment": enrolments["tokyo"].pk, "task": task.pk, "reason": "Read the new version with me"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    completion = TaskCompletion.objects.get(enrolment=enrolments["tokyo"], task=task)
    assert (completion.marked_by, completion.course_version) == (mc_tokyo, 2)
    assert completion.reason == "Read the new version with me"


def test_a_task_the_alt_completed_is_not_marked_again(client_for, mc_tokyo, enrolments, course):
    task = Task.objects.filter(module__course=course).order_by("order").first()
    response = client_for(mc_tokyo).post(MARK, {"enrolment": enrolments["tokyo"].pk, "task": task.pk, "reason": "x"})
    assert response.status_code == 200
    assert "nothing to mark" in response.content.decode()
    assert TaskCompletion.objects.get(enrolment=enrolments["tokyo"], task=task).marked_by is None
