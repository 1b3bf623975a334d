"""Demo data for the onboarding app, called by `seed_demo` after the people exist.

Idempotent: rows are found by natural keys and only created when missing, so a
second run changes nothing (and a demo placement moved by hand stays where it is).
"""

from datetime import timedelta

from django.utils import timezone

from contacts.models import AltProfile

from .course_content import COURSE, MODULES
from .models import (
    ChecklistItem,
    Choice,
    Course,
    Enrolment,
    Module,
    Placement,
    PlacementEvent,
    Question,
    Stage,
    Task,
    TaskCompletion,
)
from .models.placement import PIPELINE
from .selectors import course_tasks
from .services.checklist import checklist_create_for_alt


def seed(*, people: dict) -> None:
    """Create this app's demo rows. Idempotent: running it twice changes nothing."""
    course = seed_course()
    grm = people["grm"]
    _placement(people["alt.tokyo"], Stage.ARRIVED, grm)
    _placement(people["alt.osaka"], Stage.ARRIVED, grm)
    _placement(people["alt.predeparture"], Stage.PRE_DEPARTURE, grm)
    _placement(people["alt.applicant"], Stage.PLACEMENT, grm)

    # Arrived ALTs finished the course before they flew and are part-way through the checklist.
    for key, done_steps in (("alt.tokyo", 3), ("alt.osaka", 1)):
        alt = people[key]
        enrolment = _enrolment(alt, course, days_ago=90)
        _complete(enrolment, course_tasks(course=course))
        if enrolment.completed_at is None:
            Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=timezone.now() - timedelta(days=62))
        checklist_create_for_alt(alt_id=alt.pk)
        for kind in ChecklistItem.Kind.values[:done_steps]:
            ChecklistItem.objects.filter(alt=alt, kind=kind, done_at__isnull=True).update(
                done_at=timezone.now() - timedelta(days=50)
            )

    # Departing in 20 days: invited ten days ago, the first module done.
    enrolment = _enrolment(people["alt.predeparture"], course, days_ago=10)
    first_module = [t for t in course_tasks(course=course) if t.module.order == 1]
    _complete(enrolment, first_module)


def seed_course() -> Course:
    course = Course.objects.filter(code=COURSE["code"]).first()
    if course is None:
        Course.objects.filter(is_current=True).update(is_current=False)
        course = Course.objects.create(**COURSE, is_current=True)
    for module_order, spec in enumerate(MODULES, 1):
        module, _ = Module.objects.get_or_create(
            course=course, order=module_order, defaults={"title_en": spec["title_en"], "title_ja": spec["title_ja"]}
        )
        for task_order, (kind, title_en, title_ja, body_en, body_ja, *extra) in enumerate(spec["tasks"], 1):
            extra = extra[0] if extra else {}
            task, created = Task.objects.get_or_create(
                module=module,
                order=task_order,
                defaults={
                    "kind": kind,
                    "title_en": title_en,
                    "title_ja": title_ja,
                    "body_en": body_en,
                    "body_ja": body_ja,
                    "video_url": extra.get("video_url", ""),
                    "pass_mark": 80,
                    "questions_per_attempt": extra.get("questions_per_attempt", 0),
                },
            )
            if created:
                _questions(task, extra.get("questions", []))
    return course


def _questions(task: Task, questions: list) -> None:
    for order, (kind, text_en, text_ja, explanation_en, choices) in enumerate(questions, 1):
        question = Question.objects.create(
            task=task, order=order, kind=kind, text_en=text_en, text_ja=text_ja, explanation_en=explanation_en
        )
        Choice.objects.bulk_create(
            Choice(question=question, order=n, text_en=en, text_ja=ja, is_correct=correct)
            for n, (en, ja, correct) in enumerate(choices, 1)
        )


def _placement(alt, stage: str, grm) -> Placement:
    profile = AltProfile.objects.get(user=alt)
    placement, created = Placement.objects.get_or_create(
        alt=alt,
        defaults={
            "stage": stage,
            "owner": grm,
            "branch": profile.branch,
            "departure_date": profile.departure_date,
            "arrival_date": profile.arrival_date,
        },
    )
    if created:
        # The way here, as GRM would have recorded it.
        start = timezone.now() - timedelta(days=150)
        previous = ""
        for step, to_stage in enumerate(PIPELINE[: PIPELINE.index(stage) + 1]):
            PlacementEvent.objects.create(
                placement=placement,
                from_stage=previous,
                to_stage=to_stage,
                by=grm,
                at=start + timedelta(days=step * 14),
            )
            previous = to_stage
        AltProfile.objects.filter(pk=profile.pk, grm_contact__isnull=True).update(grm_contact=grm)
    return placement


def _enrolment(alt, course: Course, *, days_ago: int) -> Enrolment:
    when = timezone.now() - timedelta(days=days_ago)
    enrolment, _ = Enrolment.objects.get_or_create(
        alt=alt, course=course, defaults={"enrolled_at": when, "invited_at": when}
    )
    return enrolment


def _complete(enrolment: Enrolment, tasks: list) -> None:
    for task in tasks:
        TaskCompletion.objects.get_or_create(
            enrolment=enrolment,
            task=task,
            defaults={"course_version": enrolment.course.version, "score": 100 if task.is_quiz else None},
        )
