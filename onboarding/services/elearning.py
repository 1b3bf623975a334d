"""Pre-departure e-learning: completing tasks, grading quizzes on the server,
staff marking a task complete for an ALT."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contacts.models import User
from core.formats import format_date

from ..models import Course, Enrolment, QuizAttempt, Task, TaskCompletion
from ..selectors import QuizStatus, course_progress, quiz_status

# The same answers sent again this soon are a double click, not a new attempt.
RESUBMIT_WINDOW = timedelta(minutes=2)


class TaskRefused(ValidationError):
    """The task cannot be completed this way now (locked, a quiz, not in the course)."""


class QuizRefused(ValidationError):
    """The quiz submission is refused (locked, no attempts left, answers that do not fit)."""


def enrolment_create(*, alt: User, course: Course) -> Enrolment:
    """Enrol one ALT in `course` (the daily task enrols in bulk)."""
    enrolment, _created = Enrolment.objects.get_or_create(alt=alt, course=course)
    return enrolment


def _lock_enrolment(enrolment: Enrolment) -> Enrolment:
    # Serialises an ALT's submissions: two tabs cannot both use the last attempt.
    return Enrolment.objects.select_for_update().select_related("course").get(pk=enrolment.pk)


def _record_completion(*, enrolment: Enrolment, task: Task, score=None, marked_by=None, reason="") -> TaskCompletion:
    version = enrolment.course.version
    completion, created = TaskCompletion.objects.get_or_create(
        enrolment=enrolment,
        task=task,
        defaults={"course_version": version, "score": score, "marked_by": marked_by, "reason": reason},
    )
    if not created:
        # Redoing a task after the course changed, or a better quiz score: keep the best.
        completion.course_version = version
        completion.completed_at = timezone.now()
        if score is not None:
            completion.score = max(score, completion.score or 0)
        if marked_by is not None:
            completion.marked_by, completion.reason = marked_by, reason
        completion.save()
    _mark_course_complete_if_done(enrolment)
    return completion


def _mark_course_complete_if_done(enrolment: Enrolment) -> None:
    progress = course_progress(enrolment=enrolment)
    completed_at = progress.completed_on if progress.complete else None
    if enrolment.completed_at != completed_at:
        Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=completed_at)
        enrolment.completed_at = completed_at


def _state(enrolment: Enrolment, task: Task, error_class):
    progress = course_progress(enrolment=enrolment)
    state = progress.state_of(task.pk)
    if state is None:
        raise error_class(_("This task is not part of your course."), code="not_in_course")
    if state.locked:
        raise error_class(_("Complete the task before this one first."), code="locked")
    return state


@transaction.atomic
def task_complete(*, enrolment: Enrolment, task: Task) -> TaskCompletion:
    """The ALT has read, watched or acknowledged `task`. Quizzes complete only by passing them."""
    enrolment = _lock_enrolment(enrolment)
    _state(enrolment, task, TaskRefused)
    if task.kind == Task.Kind.QUIZ:
        raise TaskRefused(_("A quiz is complete once you pass it."), code="quiz")
    return _record_completion(enrolment=enrolment, task=task)


def grade(*, questions: list, answers: dict) -> tuple[int, dict]:
    """Score `answers` ({question_id: [choice_id, ...]}) against the right choices, on the server.

    A question counts as right only when exactly its correct choices are picked.
    Returns the score in percent and {question_id: right?}.
    """
    results = {}
    for question in questions:
        correct = {c.pk for c in question.choices.all() if c.is_correct}
        results[question.pk] = set(answers.get(question.pk, ())) == correct
    right = sum(results.values())
    score = right * 100 // len(questions) if questions else 0
    return score, results


def _check_answers(questions: list, answers: dict) -> dict:
    cleaned = {}
    for question in questions:
        valid = {c.pk for c in question.choices.all()}
        picked = {int(a) for a in answers.get(question.pk, ())}
        if not picked:
            raise QuizRefused(_("Answer every question."), code="unanswered")
        if not picked <= valid:
            raise QuizRefused(_("An answer does not belong to its question."), code="bad_choice")
        if question.kind == question.Kind.SINGLE and len(picked) != 1:
            raise QuizRefused(_("Choose one answer for each single-choice question."), code="one_answer")
        cleaned[question.pk] = sorted(picked)
    return cleaned


def _limit_message(per_day: int) -> str:
    return ngettext(
        "You have used today's attempt. Try again tomorrow (the day starts at midnight Japan time), "
        "or ask your contact: staff can mark the task complete for you.",
        "You have used today's %(n)s attempts. Try again tomorrow (the day starts at midnight Japan time), "
        "or ask your contact: staff can mark the task complete for you.",
        per_day,
    ) % {"n": per_day}


def quiz_attempt_problem(*, done: bool, status: QuizStatus, number: int) -> QuizRefused | None:
    """Why attempt `number` may not be sent now, or None: today's attempts used up, or a page out of date.

    A quiz already passed may be taken again (to practise) whatever the limit.
    """
    if status.limit_reached and not done:
        return QuizRefused(_limit_message(status.per_day), code="no_attempts")
    if number != status.number:
        return QuizRefused(
            _(
                "These answers were already sent, or sent from another window. "
                "Nothing was saved: here is the quiz again."
            ),
            code="stale",
        )
    return None


@transaction.atomic
def quiz_submit(*, enrolment: Enrolment, task: Task, number: int, answers: dict, now=None) -> QuizAttempt:
    """Grade attempt `number` at a quiz and keep it; pass it and the task is complete.

    The score comes only from the answers checked here, against the questions
    drawn for this attempt (the ones its page showed). A locked quiz, a quiz
    with no attempts left today, a page that is out of date (sent twice, or
    another window submitted first) and answers that are not the quiz's own are
    refused, and nothing is saved.
    """
    enrolment = _lock_enrolment(enrolment)
    if task.kind != Task.Kind.QUIZ:
        raise QuizRefused(_("This task is not a quiz."), code="not_quiz")
    state = _state(enrolment, task, QuizRefused)
    status = quiz_status(enrolment=enrolment, task=task, now=now)
    problem = quiz_attempt_problem(done=state.done, status=status, number=number)
    if problem is not None:
        raise problem
    cleaned = _check_answers(status.questions, answers)
    score, _results = grade(questions=status.questions, answers=cleaned)
    passed = score >= task.pass_mark
    attempt = QuizAttempt.objects.create(
        enrolment=enrolment,
        task=task,
        number=number,
        course_version=enrolment.course.version,
        questions=[q.pk for q in status.questions],
        score=score,
        passed=passed,
        answers={str(k): v for k, v in cleaned.items()},
        created=now or timezone.now(),
    )
    if passed:
        _record_completion(enrolment=enrolment, task=task, score=score)
    return attempt


def task_completion_mark_problem(*, enrolment: Enrolment, task: Task) -> str | None:
    """Why staff may not mark `task` complete for the enrolment's ALT, or None.

    A completion made before the task changed (a redo) may be marked: it is
    updated. One for the task's current version is refused: nothing to mark.
    """
    if task.module.course_id != enrolment.course_id:
        return str(_("This task is not part of the ALT's course."))
    done = TaskCompletion.objects.filter(enrolment=enrolment, task=task, course_version__gte=task.version).first()
    if done is not None:
        return str(
            _("The ALT completed this task on %(date)s: nothing to mark.") % {"date": format_date(done.completed_at)}
        )
    return None


@transaction.atomic
def task_completion_mark(*, enrolment: Enrolment, task: Task, by: User, reason: str) -> TaskCompletion:
    """Staff mark a task complete for an ALT (a quiz they did on paper, a lost connection), with why."""
    reason = (reason or "").strip()
    if not reason:
        raise TaskRefused(_("Say why the task is marked complete."), code="no_reason")
    enrolment = _lock_enrolment(enrolment)
    problem = task_completion_mark_problem(enrolment=enrolment, task=task)
    if problem is not None:
        raise TaskRefused(problem, code="refused")
    return _record_completion(enrolment=enrolment, task=task, marked_by=by, reason=reason)
