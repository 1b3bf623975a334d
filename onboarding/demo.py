"""Demo data for the onboarding app, called by `seed_demo` after the people exist.

Idempotent: rows are found by natural keys and only created when missing, so a
second run changes nothing (and a demo placement moved by hand stays where it is).
"""

from datetime import timedelta

from django.utils import timezone

from contacts.models import AltProfile
from contacts.office_days import add_working_days
from contacts.services import alt_profile_update

from .course_content import COURSE, MODULES
from .models import (
    ChecklistItem,
    Choice,
    Course,
    Enrolment,
    Handover,
    HousingStatus,
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
from .services.handover import HANDOVER_WORKING_DAYS

Kind = ChecklistItem.Kind

# What GRM wrote down for the MC, per ALT: (flight, housing, notes).
HANDOVER_FACTS = {
    "alt.tokyo": ("UA 837, Narita, 15:40", HousingStatus.ARRANGED, "Keen on team teaching; has taught phonics."),
    "alt.osaka": ("EI 4512, Kansai, 16:05", HousingStatus.OWN, "Lives with a partner already in Osaka."),
    "alt.predeparture": (
        "PR 428, Narita, 14:25",
        HousingStatus.ARRANGING,
        "Vegetarian. Would like a school near a station.\nAsked whether a bicycle can be arranged.",
    ),
}
# Steps the arrived ALTs have done; the rest are open, several past due.
DONE_STEPS = {"alt.tokyo": (Kind.MEET_MC, Kind.MOBILE_PHONE, Kind.ORIENTATION), "alt.osaka": (Kind.MEET_MC,)}


def seed(*, people: dict) -> None:
    """Create this app's demo rows. Idempotent: running it twice changes nothing."""
    course = seed_course()
    grm = people["grm"]
    _placement(people["alt.tokyo"], Stage.ARRIVED, grm)
    _placement(people["alt.osaka"], Stage.ARRIVED, grm)
    _placement(people["alt.predeparture"], Stage.PRE_DEPARTURE, grm)
    _placement(people["alt.applicant"], Stage.PLACEMENT, grm)

    # Arrived ALTs finished the course before they flew and are part-way through the checklist.
    for key, done in DONE_STEPS.items():
        alt = people[key]
        enrolment = _enrolment(alt, course, days_ago=90)
        _complete(enrolment, course_tasks(course=course))
        if enrolment.completed_at is None:
            Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=timezone.now() - timedelta(days=62))
        checklist_create_for_alt(alt_id=alt.pk)
        ChecklistItem.objects.filter(alt=alt, kind__in=done, done_at__isnull=True).update(
            done_at=timezone.now() - timedelta(days=50)
        )

    # Departing in 20 days: invited ten days ago, the first module done.
    enrolment = _enrolment(people["alt.predeparture"], course, days_ago=10)
    first_module = [t for t in course_tasks(course=course) if t.module.order == 1]
    _complete(enrolment, first_module)

    # The MCs acknowledged the arrived ALTs' handovers long ago; the pre-departure ALT's
    # still waits for Tokyo's MC, past its 2 working days (the reminder goes out).
    for key in ("alt.tokyo", "alt.osaka"):
        _handover(people[key], when=None, acknowledged=True)
    _handover(people["alt.predeparture"], when=_past_due_start(people["branches"]["tokyo"]), acknowledged=False)


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
    flight, housing, notes = HANDOVER_FACTS.get(
        alt.email.removesuffix("@example.com"), ("", HousingStatus.NOT_STARTED, "")
    )
    placement, created = Placement.objects.get_or_create(
        alt=alt,
        defaults={
            "stage": stage,
            "owner": grm,
            "branch": profile.branch,
            "arrival_flight": flight,
            "housing_status": housing,
            "notes_for_mc": notes,
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
        # In its stage since the last step (the applicant's placement stage is past 14 days: GRM's worklist).
        Placement.objects.filter(pk=placement.pk).update(stage_changed_at=start + timedelta(days=step * 14))
        if profile.grm_contact_id is None:
            alt_profile_update(user_id=alt.pk, grm_contact=grm)
    return placement


def _past_due_start(branch):
    """A time a few days back whose 2 working days are over whatever today is (weekends, holidays)."""
    now = timezone.now()
    start = now - timedelta(days=3)
    while add_working_days(start, HANDOVER_WORKING_DAYS, office_days=branch.office_days) >= now:
        start -= timedelta(days=1)
    return start


def _handover(alt, *, when, acknowledged: bool) -> None:
    """The handover of the ALT's confirmation (recorded by `_placement`), once, made at `when`
    (None: at the confirmation)."""
    placement = Placement.objects.select_related("branch", "alt__alt_profile").get(alt=alt)
    event = PlacementEvent.objects.filter(placement=placement, to_stage=Stage.CONFIRMED).first()
    if event is None or Handover.objects.filter(event=event).exists():
        return
    created = when or event.at
    mc = alt.alt_profile.managing_consultant
    Handover.objects.create(
        placement=placement,
        event=event,
        branch=placement.branch,
        mc=mc,
        grm_owner_id=placement.owner_id,
        created=created,
        due_at=add_working_days(created, HANDOVER_WORKING_DAYS, office_days=placement.branch.office_days),
        acknowledged_at=created + timedelta(hours=5) if acknowledged else None,
        acknowledged_by=mc if acknowledged else None,
    )


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
