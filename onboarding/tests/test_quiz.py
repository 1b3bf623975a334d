"""Quizzes as an LMS runs them: a daily attempt limit counted in Japan time, a failed attempt's
answers kept on the form without the right ones shown, questions drawn from a pool per attempt."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from onboarding.models import Choice, Question, QuizAttempt, Stage, Task, TaskCompletion
from onboarding.selectors import quiz_draw, quiz_questions
from testing.onboarding import EnrolmentFactory, PlacementFactory, complete, make_course, quiz_answers

JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def course(db):
    return make_course(tasks_per_module=(1,), with_quiz=True)


@pytest.fixture
def enrolment(alt_tokyo, tokyo, course):
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    complete(enrolment, Task.objects.get(module__course=course, kind=Task.Kind.READING))
    return enrolment


@pytest.fixture
def quiz(course):
    return Task.objects.get(module__course=course, kind=Task.Kind.QUIZ)


def post_data(answers: dict, *, attempt: int) -> dict:
    return {"attempt": str(attempt), **{f"q{q}": [str(c) for c in choices] for q, choices in answers.items()}}


def submit(client, quiz, *, attempt, right=False, **kwargs):
    url = reverse("onboarding:quiz_submit", args=[quiz.pk])
    return client.post(url, post_data(quiz_answers(quiz, right=right), attempt=attempt), **kwargs)


def task_page(client, quiz) -> str:
    response = client.get(reverse("onboarding:task", args=[quiz.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def checked_choices(page: str) -> set[int]:
    return {int(v) for v in re.findall(r'<input[^>]*value="(\d+)"[^>]*checked', page)}


# --- the daily limit ----------------------------------------------------------------


def test_three_failed_attempts_a_day_then_refused_until_midnight_in_japan(
    client_for, alt_tokyo, enrolment, quiz, time_machine
):
    assert quiz.attempts_per_day == 3  # the default
    # 08:30 in Japan is still the day before in UTC: the count follows Japan's calendar, not UTC's.
    for attempt, when in enumerate([(8, 30), (9, 30), (10, 0)], 1):
        time_machine.move_to(datetime(2026, 3, 10, *when, tzinfo=JST), tick=False)
        assert submit(client_for(alt_tokyo), quiz, attempt=attempt).status_code == 302
    assert "attempts left today" not in task_page(client_for(alt_tokyo), quiz)

    time_machine.move_to(datetime(2026, 3, 10, 23, 59, tzinfo=JST), tick=False)
    client = client_for(alt_tokyo)  # a new login: the session idles out after two hours
    page = task_page(client, quiz)
    assert "You have used today's 3 attempts. Try again tomorrow" in page
    assert "Submit answers" not in page
    refused = submit(client, quiz, attempt=4, right=True)
    assert refused.status_code == 409
    assert "You have used today's 3 attempts" in html.unescape(refused.content.decode())
    assert QuizAttempt.objects.count() == 3
    assert not TaskCompletion.objects.filter(task=quiz).exists()

    time_machine.move_to(datetime(2026, 3, 11, 0, 0, tzinfo=JST), tick=False)
    assert "3 attempts left today." in task_page(client, quiz)
    assert submit(client, quiz, attempt=4, right=True).status_code == 302
    assert TaskCompletion.objects.get(task=quiz).score == 100


def test_the_limit_is_set_per_quiz_and_zero_means_no_limit(client_for, alt_tokyo, enrolment, quiz, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 12, 0, tzinfo=JST), tick=False)
    quiz.attempts_per_day = 1
    quiz.save()
    client = client_for(alt_tokyo)
    assert "1 attempt left today." in task_page(client, quiz)
    assert submit(client, quiz, attempt=1).status_code == 302
    assert submit(client, quiz, attempt=2).status_code == 409

    quiz.attempts_per_day = 0
    quiz.save()
    for attempt in range(2, 7):
        assert submit(client, quiz, attempt=attempt).status_code == 302
    assert QuizAttempt.objects.count() == 6
    assert "left today" not in task_page(client, quiz)


def test_answers_sent_twice_are_saved_once(client_for, alt_tokyo, enrolment, quiz):
    client = client_for(alt_tokyo)
    assert submit(client, quiz, attempt=1).status_code == 302
    again = submit(client, quiz, attempt=1)  # the back button, or a second window
    assert again.status_code == 409
    assert "already sent" in again.content.decode()
    assert list(QuizAttempt.objects.values_list("number", flat=True)) == [1]


@pytest.mark.parametrize("attempt", ["", "0", "abc", "-1", "99"])
def test_a_missing_or_forged_attempt_number_saves_nothing(client_for, alt_tokyo, enrolment, quiz, attempt):
    data = post_data(quiz_answers(quiz), attempt=1) | {"attempt": attempt}
    response = client_for(alt_tokyo).post(reverse("onboarding:quiz_submit", args=[quiz.pk]), data)
    assert response.status_code == 409
    assert not QuizAttempt.objects.exists()


# --- a failed attempt -------------------------------------------------------------------


def test_a_failed_attempt_keeps_the_answers_given_without_showing_the_right_ones(
    client_for, alt_tokyo, enrolment, quiz
):
    single = quiz.questions.get(kind=Question.Kind.SINGLE)
    single.explanation_en = "Because the second answer is the one."
    single.save()
    given = quiz_answers(quiz, right=False)
    client = client_for(alt_tokyo)
    response = client.post(reverse("onboarding:quiz_submit", args=[quiz.pk]), post_data(given, attempt=1), follow=True)
    page = response.content.decode()
    assert "Not passed yet: you scored 50%, and the pass mark is 100%." in page
    assert "Your answers are kept below" in page
    assert checked_choices(page) == {c for choices in given.values() for c in choices}
    # Neither which answer is right, nor which question was wrong, nor the explanation.
    assert "Because the second answer" not in page
    assert "not right" not in page.lower()
    assert 'name="attempt" value="2"' in page

    # The answers come from the attempt saved: they are there after a reload too.
    assert checked_choices(task_page(client, quiz)) == {c for choices in given.values() for c in choices}


def test_a_passed_attempt_is_not_shown_as_a_failure(client_for, alt_tokyo, enrolment, quiz):
    client = client_for(alt_tokyo)
    submit(client, quiz, attempt=1, right=True)
    page = task_page(client, quiz)
    assert "You have completed this task. Your score: 100%." in page
    assert "Not passed yet" not in page


# --- questions drawn from a pool ----------------------------------------------------------


@pytest.fixture
def pooled_quiz(quiz):
    """Six questions in the pool (two from make_quiz, four more), four asked per attempt: two draws always
    share a question."""
    for n in range(3, 7):
        question = Question.objects.create(task=quiz, order=n, kind=Question.Kind.SINGLE, text_en=f"Question {n}")
        Choice.objects.create(question=question, order=1, text_en=f"Wrong {n}", is_correct=False)
        Choice.objects.create(question=question, order=2, text_en=f"Right {n}", is_correct=True)
    quiz.questions_per_attempt = 4
    quiz.save()
    return quiz


def shown_questions(page: str) -> list[int]:
    return sorted({int(q) for q in re.findall(r'name="q(\d+)"', page)})


def test_each_attempt_asks_its_draw_and_is_graded_on_it(client_for, alt_tokyo, enrolment, pooled_quiz):
    client = client_for(alt_tokyo)
    page = task_page(client, pooled_quiz)
    drawn = shown_questions(page)
    assert len(drawn) == 4
    assert "Each attempt asks 4 questions drawn from the quiz's pool." in page
    assert shown_questions(task_page(client, pooled_quiz)) == drawn  # the same draw on every visit
    assert not QuizAttempt.objects.exists()  # and showing it wrote nothing

    right = quiz_answers(pooled_quiz)
    answers = {q: right[q] for q in drawn}
    response = client.post(reverse("onboarding:quiz_submit", args=[pooled_quiz.pk]), post_data(answers, attempt=1))
    assert response.status_code == 302
    attempt = QuizAttempt.objects.get()
    assert (attempt.number, sorted(attempt.questions), attempt.score, attempt.passed) == (1, drawn, 100, True)


def test_a_question_outside_the_draw_is_not_graded(client_for, alt_tokyo, enrolment, pooled_quiz):
    client = client_for(alt_tokyo)
    drawn = shown_questions(task_page(client, pooled_quiz))
    wrong, right = quiz_answers(pooled_quiz, right=False), quiz_answers(pooled_quiz)
    # Right on the drawn questions, and a forged wrong answer for one the attempt did not ask.
    answers = {q: (right[q] if q in drawn else wrong[q]) for q in right}
    client.post(reverse("onboarding:quiz_submit", args=[pooled_quiz.pk]), post_data(answers, attempt=1))
    assert QuizAttempt.objects.get().score == 100


def test_the_next_attempt_draws_again_and_keeps_answers_to_questions_asked_again(
    client_for, alt_tokyo, enrolment, pooled_quiz
):
    pool = quiz_questions(task=pooled_quiz)
    draws = [tuple(q.pk for q in quiz_draw(enrolment_id=enrolment.pk, task=pooled_quiz, number=n, pool=pool))
             for n in range(1, 11)]  # fmt: skip
    assert len(set(draws)) > 1
    assert all(len(d) == 4 for d in draws)

    client = client_for(alt_tokyo)
    first = shown_questions(task_page(client, pooled_quiz))
    given = {q: [Choice.objects.filter(question_id=q, is_correct=False).first().pk] for q in first}
    client.post(reverse("onboarding:quiz_submit", args=[pooled_quiz.pk]), post_data(given, attempt=1))
    page = task_page(client, pooled_quiz)
    second = shown_questions(page)
    assert second == sorted(draws[1])
    kept = {c for q, choices in given.items() if q in second for c in choices}
    assert kept
    assert checked_choices(page) == kept


def test_task_page_of_a_pooled_quiz_query_count(
    client_for, alt_tokyo, enrolment, pooled_quiz, django_assert_max_num_queries
):
    client = client_for(alt_tokyo)
    submit(client, pooled_quiz, attempt=1)
    with django_assert_max_num_queries(11):
        task_page(client, pooled_quiz)


def test_yesterdays_attempts_do_not_count_today(client_for, alt_tokyo, enrolment, quiz, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 23, 0, tzinfo=JST), tick=False)
    client = client_for(alt_tokyo)
    for attempt in (1, 2, 3):
        submit(client, quiz, attempt=attempt)
    time_machine.move_to(datetime(2026, 3, 10, 23, 0, tzinfo=JST) + timedelta(hours=1), tick=False)
    assert "3 attempts left today." in task_page(client_for(alt_tokyo), quiz)
