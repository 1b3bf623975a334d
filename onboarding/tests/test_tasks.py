"""Task pages, completing tasks and quizzes: checked on the server, forged posts refused."""

import pytest
from django.urls import reverse

from onboarding.models import QuizAttempt, Stage, Task, TaskCompletion
from testing.onboarding import (
    EnrolmentFactory,
    ModuleFactory,
    PlacementFactory,
    TaskFactory,
    complete,
    make_course,
    make_quiz,
    quiz_answers,
)


@pytest.fixture
def course(db):
    return make_course(tasks_per_module=(2,), with_quiz=True)


@pytest.fixture
def enrolment(alt_tokyo, tokyo, course):
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    return EnrolmentFactory(alt=alt_tokyo, course=course)


def tasks_of(course):
    return list(Task.objects.filter(module__course=course).order_by("module__order", "order"))


def quiz_post(task, *, right=True, attempt=1, **extra):
    data = {"attempt": str(attempt)}
    for question_id, choice_ids in quiz_answers(task, right=right).items():
        data[f"q{question_id}"] = [str(c) for c in choice_ids]
    return {**data, **extra}


def test_alt_reads_a_task_and_marks_it_done(client_for, alt_tokyo, enrolment, course):
    first, second, _quiz = tasks_of(course)
    client = client_for(alt_tokyo)
    assert client.get(reverse("onboarding:task", args=[first.pk])).status_code == 200
    response = client.post(reverse("onboarding:task_complete", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("onboarding:task", args=[second.pk])
    assert TaskCompletion.objects.filter(enrolment=enrolment, task=first).exists()


def test_get_on_a_write_url_is_refused(client_for, alt_tokyo, enrolment, course):
    first = tasks_of(course)[0]
    client = client_for(alt_tokyo)
    assert client.get(reverse("onboarding:task_complete", args=[first.pk])).status_code == 405
    assert client.get(reverse("onboarding:quiz_submit", args=[first.pk])).status_code == 405


def test_forged_post_completing_a_locked_task_is_refused(client_for, alt_tokyo, enrolment, course):
    _first, second, _quiz = tasks_of(course)
    client = client_for(alt_tokyo)
    page = client.get(reverse("onboarding:task", args=[second.pk])).content.decode()
    assert "This task is locked" in page
    response = client.post(reverse("onboarding:task_complete", args=[second.pk]))
    assert response.status_code == 409
    assert not TaskCompletion.objects.filter(task=second).exists()


def test_forged_quiz_post_on_a_locked_quiz_is_refused(client_for, alt_tokyo, enrolment, course):
    quiz = tasks_of(course)[2]
    response = client_for(alt_tokyo).post(reverse("onboarding:quiz_submit", args=[quiz.pk]), quiz_post(quiz))
    assert response.status_code == 409
    assert not TaskCompletion.objects.filter(task=quiz).exists()
    assert not QuizAttempt.objects.exists()


def test_a_quiz_cannot_be_completed_without_answers(client_for, alt_tokyo, enrolment, course):
    first, second, quiz = tasks_of(course)
    complete(enrolment, first)
    complete(enrolment, second)
    response = client_for(alt_tokyo).post(reverse("onboarding:task_complete", args=[quiz.pk]), {"score": "100"})
    assert response.status_code == 409
    assert not TaskCompletion.objects.filter(task=quiz).exists()


def test_a_posted_score_is_ignored_the_server_grades(client_for, alt_tokyo, enrolment, course):
    first, second, quiz = tasks_of(course)
    complete(enrolment, first)
    complete(enrolment, second)
    response = client_for(alt_tokyo).post(
        reverse("onboarding:quiz_submit", args=[quiz.pk]),
        quiz_post(quiz, right=False, score="100", passed="1"),
        follow=True,
    )
    assert response.status_code == 200
    assert "Not passed yet: you scored 50%" in response.content.decode()
    attempt = QuizAttempt.objects.get()
    assert (attempt.score, attempt.passed) == (50, False)
    assert not TaskCompletion.objects.filter(task=quiz).exists()


def test_wrong_then_right_passes_and_keeps_the_score(client_for, alt_tokyo, enrolment, course):
    first, second, quiz = tasks_of(course)
    complete(enrolment, first)
    complete(enrolment, second)
    client = client_for(alt_tokyo)
    url = reverse("onboarding:quiz_submit", args=[quiz.pk])
    failed = client.post(url, quiz_post(quiz, right=False), follow=True)
    assert "Not passed yet: you scored 50%" in failed.content.decode()
    passed = client.post(url, quiz_post(quiz, attempt=2))
    assert passed.status_code == 302
    assert passed["Location"] == reverse("onboarding:certificate")
    assert TaskCompletion.objects.get(task=quiz).score == 100
    assert list(QuizAttempt.objects.order_by("created").values_list("score", flat=True)) == [50, 100]


def test_multiple_choice_needs_every_right_answer(client_for, alt_tokyo, enrolment, course):
    first, second, quiz = tasks_of(course)
    complete(enrolment, first)
    complete(enrolment, second)
    answers = quiz_post(quiz)
    multiple = quiz.questions.get(kind="MULTIPLE")
    answers[f"q{multiple.pk}"] = answers[f"q{multiple.pk}"][:1]  # only A, not A and C
    client_for(alt_tokyo).post(reverse("onboarding:quiz_submit", args=[quiz.pk]), answers)
    assert QuizAttempt.objects.get().score == 50


def test_a_choice_from_another_question_is_a_form_error(client_for, alt_tokyo, enrolment, course):
    first, second, quiz = tasks_of(course)
    complete(enrolment, first)
    complete(enrolment, second)
    other = make_quiz(module=ModuleFactory(course=course, order=50), title="Other quiz")
    answers = quiz_post(quiz)
    single = quiz.questions.get(kind="SINGLE")
    answers[f"q{single.pk}"] = [str(other.questions.get(kind="SINGLE").choices.get(is_correct=True).pk)]
    response = client_for(alt_tokyo).post(reverse("onboarding:quiz_submit", args=[quiz.pk]), answers)
    assert response.status_code == 422
    assert not QuizAttempt.objects.exists()


def test_unanswered_quiz_is_a_form_error(client_for, alt_tokyo, enrolment, course):
    first, second, quiz = tasks_of(course)
    complete(enrolment, first)
    complete(enrolment, second)
    response = client_for(alt_tokyo).post(reverse("onboarding:quiz_submit", args=[quiz.pk]), {"attempt": "1"})
    assert response.status_code == 422
    page = response.content.decode()
    # Under each question, beside its choices marked invalid.
    assert page.count("<strong>Answer this question.</strong>") == quiz.questions.count()
    assert 'class="form-check-input is-invalid"' in page


def test_acknowledgement_needs_the_box_ticked(client_for, alt_tokyo, enrolment, course):
    module = ModuleFactory(course=course, order=0)
    ack = TaskFactory(module=module, order=1, kind=Task.Kind.ACKNOWLEDGEMENT, requires_previous=False)
    client = client_for(alt_tokyo)
    url = reverse("onboarding:task_complete", args=[ack.pk])
    page = client.get(reverse("onboarding:task", args=[ack.pk])).content.decode()
    assert 'class="form-check-label requiredField">I have read and understood this.' in page
    refused = client.post(url, {})
    assert refused.status_code == 422
    assert "<strong>Tick the box to confirm you have read and understood this.</strong>" in refused.content.decode()
    assert not TaskCompletion.objects.filter(task=ack).exists()
    assert client.post(url, {"acknowledged": "on"}).status_code == 302
    assert TaskCompletion.objects.filter(task=ack).exists()


def _between(page: str, start: str, end: str) -> str:
    """The part of the page after `start` up to `end`; empty when `start` is absent."""
    return page.split(start, 1)[1].split(end, 1)[0] if start in page else ""


def _bilingual_task(course, *, body_ja="現金を持ち歩きましょう。") -> Task:
    first = tasks_of(course)[0]
    first.body_en, first.body_ja = "Carry some cash.", body_ja
    first.save()
    return first


def test_japanese_speaking_alt_reads_the_japanese_text_with_the_english_one_folded(
    client_for, alt_tokyo, enrolment, course
):
    task = _bilingual_task(course)
    alt_tokyo.preferred_language = "ja"
    alt_tokyo.save()
    page = client_for(alt_tokyo).get(reverse("onboarding:task", args=[task.pk])).content.decode()
    body = _between(page, '<div class="task-body mb-3">', "</div>")
    assert "現金を持ち歩きましょう。" in body
    assert "Carry some cash." not in body
    folded = _between(page, '<details class="mb-3">', "</details>")
    assert "<summary>英語で読む</summary>" in folded
    assert '<div lang="en"' in folded and "Carry some cash." in folded


def test_english_speaking_alt_finds_the_japanese_text_under_read_in_japanese(client_for, alt_tokyo, enrolment, course):
    task = _bilingual_task(course)
    page = client_for(alt_tokyo).get(reverse("onboarding:task", args=[task.pk])).content.decode()
    body = _between(page, '<div class="task-body mb-3">', "</div>")
    assert "Carry some cash." in body and "現金" not in body
    folded = _between(page, '<details class="mb-3">', "</details>")
    assert "<summary>Read in Japanese</summary>" in folded
    assert '<div lang="ja"' in folded and "現金を持ち歩きましょう。" in folded


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_task_without_japanese_text_shows_the_english_and_no_reading_block(
    client_for, alt_tokyo, enrolment, course, language
):
    task = _bilingual_task(course, body_ja="")
    alt_tokyo.preferred_language = language
    alt_tokyo.save()
    page = client_for(alt_tokyo).get(reverse("onboarding:task", args=[task.pk])).content.decode()
    assert "Carry some cash." in _between(page, '<div class="task-body mb-3">', "</div>")
    assert '<details class="mb-3">' not in page


def test_another_alts_task_and_unknown_tasks_are_404(client_for, alt_osaka, alt_tokyo, enrolment, course):
    first = tasks_of(course)[0]
    # alt_osaka is not enrolled: every task URL is a 404.
    client = client_for(alt_osaka)
    assert client.get(reverse("onboarding:task", args=[first.pk])).status_code == 404
    assert client.post(reverse("onboarding:task_complete", args=[first.pk])).status_code == 404
    other_course_task = TaskFactory()
    assert client_for(alt_tokyo).get(reverse("onboarding:task", args=[other_course_task.pk])).status_code == 404


def test_certificate_only_once_complete_and_only_ones_own(client_for, alt_tokyo, alt_osaka, enrolment, course):
    url = reverse("onboarding:certificate")
    client = client_for(alt_tokyo)
    assert client.get(url).status_code == 404
    for task in tasks_of(course):
        complete(enrolment, task, score=100 if task.is_quiz else None)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Certificate of completion" in page
    assert alt_tokyo.display_name in page
    assert client_for(alt_osaka).get(url).status_code == 404


@pytest.mark.parametrize("size", [1, 50])
def test_task_page_query_count_does_not_grow_with_tasks(
    client_for, alt_tokyo, tokyo, django_assert_max_num_queries, size
):
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    course = make_course(tasks_per_module=(size,), with_quiz=True)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    tasks = tasks_of(course)
    for task in tasks[:-1]:
        complete(enrolment, task)
    client = client_for(alt_tokyo)
    client.get(reverse("onboarding:task", args=[tasks[0].pk]))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("onboarding:task", args=[tasks[-1].pk])).status_code == 200


@pytest.mark.parametrize("size", [1, 50])
def test_certificate_query_count_does_not_grow_with_tasks(
    client_for, alt_tokyo, tokyo, django_assert_max_num_queries, size
):
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    course = make_course(tasks_per_module=(size,), with_quiz=True)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    for task in tasks_of(course):
        complete(enrolment, task, score=100 if task.is_quiz else None)
    client = client_for(alt_tokyo)
    client.get(reverse("onboarding:certificate"))
    with django_assert_max_num_queries(6):
        assert client.get(reverse("onboarding:certificate")).status_code == 200
