"""One small portal with something of everything, owned by a Tokyo ALT, and the people who
try to reach it. Shared by the attack tests (object access, CSRF, GET, headers)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from contacts.models import StaffRole
from contacts.services import staff_role_grant
from onboarding.models import Stage
from safety.links import answer_token
from safety.models import WellbeingCheckin
from safety.services import safety_check_close, safety_check_fan_out, safety_check_start
from support.models import Attachment, Category, Status, UrgentAlert
from support.selectors import urgent_alert_ack_token
from testing.contacts import make_alt, make_staff
from testing.onboarding import EnrolmentFactory, PlacementFactory, complete, make_course, quiz_answers
from testing.support import PDF_BYTES, MessageFactory, SupportRequestFactory, VisitFactory, upload
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import CalendarFeed
from training.services import calendar_feed_create

# Who tries. "owner" owns everything in the world; the others try to reach it.
ROLES = [
    "owner",  # a Tokyo ALT
    "other_alt",  # another Tokyo ALT (same branch: branch checks alone would let them in)
    "other_branch_alt",  # an Osaka ALT
    "scheduler",  # Tokyo scheduler (same branch staff)
    "trainer",  # Tokyo trainer (same branch staff)
    "mc",  # the owner's Managing Consultant (Tokyo)
    "other_branch_staff",  # Osaka MC, scheduler and trainer at once: every power, wrong branch
    "grm",
    "sesps",
    "anonymous",
]


@dataclass
class World:
    people: dict
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def attach(support_request, *, message=None, name="lease.pdf"):
    attachment = Attachment(
        support_request=support_request,
        message=message,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    attachment.file.save(name, upload(name), save=False)
    attachment.save()
    return attachment


def build_world(*, tokyo, osaka, alt_tokyo, alt_osaka, mc_tokyo, staff_tokyo, trainer_tokyo, grm, sesps) -> World:
    other_alt = make_alt(branch=tokyo, mc=mc_tokyo, email="alt2.tokyo@example.com")
    osaka_staff = make_staff(role=StaffRole.Role.MC, branch=osaka, email="all.osaka@example.com")
    staff_role_grant(user=osaka_staff, role=StaffRole.Role.SCHEDULER, branch=osaka)
    staff_role_grant(user=osaka_staff, role=StaffRole.Role.TRAINER, branch=osaka)
    people = {
        "owner": alt_tokyo,
        "other_alt": other_alt,
        "other_branch_alt": alt_osaka,
        "scheduler": staff_tokyo,
        "trainer": trainer_tokyo,
        "mc": mc_tokyo,
        "other_branch_staff": osaka_staff,
        "grm": grm,
        "sesps": sesps,
        "anonymous": None,
    }
    world = World(people=people)
    o = world.objects
    o["request"] = SupportRequestFactory(alt=alt_tokyo, subject="Ward office visit", details="Which documents?")
    o["request_file"] = attach(o["request"])
    o["staff_reply"] = MessageFactory(support_request=o["request"], author=staff_tokyo, from_staff=True)
    note = MessageFactory(support_request=o["request"], author=staff_tokyo, from_staff=True, is_internal=True)
    o["note_file"] = attach(o["request"], message=note, name="internal.pdf")
    o["wellbeing"] = SupportRequestFactory(
        alt=alt_tokyo, category=Category.WELLBEING, subject="Feeling low", details="Hard to sleep."
    )
    o["wellbeing_file"] = attach(o["wellbeing"], name="letter.pdf")
    o["resolved"] = SupportRequestFactory(alt=alt_tokyo, status=Status.RESOLVED, resolved_at=timezone.now())
    # Going along to the ward office tomorrow; an urgent call-out of the owner's MC, with its signed link.
    o["visit"] = VisitFactory(support_request=o["request"], staff=staff_tokyo)
    alert = UrgentAlert.objects.create(support_request=o["request"], branch=tokyo, on_call=mc_tokyo)
    o["ack_token"] = urgent_alert_ack_token(alert=alert, user=mc_tokyo)
    o["osaka_request"] = SupportRequestFactory(alt=alt_osaka)
    o["osaka_file"] = attach(o["osaka_request"])
    o["session"] = TrainingSessionFactory(branch=tokyo, trainer=trainer_tokyo, title="Tokyo team teaching")
    o["registered_session"] = TrainingSessionFactory(branch=tokyo, trainer=trainer_tokyo, title="Tokyo phonics")
    o["registration"] = RegistrationFactory(session=o["registered_session"], alt=alt_tokyo, invited=True)
    o["osaka_session"] = TrainingSessionFactory(branch=osaka, title="Osaka lesson plans")
    start = timezone.now() + timedelta(hours=2)
    o["today_session"] = TrainingSessionFactory(
        branch=tokyo, trainer=trainer_tokyo, start=start, registration_deadline=None, title="Tokyo today"
    )
    o["today_registration"] = RegistrationFactory(session=o["today_session"], alt=alt_tokyo)
    # Starting in ten minutes: its check-in at the door is open.
    now_start = timezone.now() + timedelta(minutes=10)
    o["checkin_session"] = TrainingSessionFactory(
        branch=tokyo, trainer=trainer_tokyo, start=now_start, registration_deadline=None, title="Tokyo right now"
    )
    RegistrationFactory(session=o["checkin_session"], alt=alt_tokyo)
    feed = calendar_feed_create(alt=alt_tokyo)
    o["retired_token"] = feed.token
    feed.token = CalendarFeed.new_token()
    feed.save(update_fields=["token"])
    o["feed"] = feed
    calendar_feed_create(alt=other_alt)
    # Onboarding: the owner has arrived (checklist) and takes the current course; an Osaka ALT an older one.
    PlacementFactory(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo)
    course = make_course(tasks_per_module=(2,), with_quiz=True)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    tasks = list(course.modules.get().tasks.order_by("order"))
    o["complete_readings"] = lambda: [complete(enrolment, task) for task in tasks[:-1]]
    o["reading_task"], o["quiz"] = tasks[0], tasks[-1]
    o["quiz_answers"] = {"attempt": "1", **{f"q{q}": c for q, c in quiz_answers(o["quiz"]).items()}}
    o["enrolment"] = enrolment
    # An earlier course the owner completed: its certificate.
    done_course = make_course(tasks_per_module=(1,), with_quiz=False, current=False)
    o["certificate"] = EnrolmentFactory(alt=alt_tokyo, course=done_course)
    complete(o["certificate"], done_course.modules.get().tasks.get())
    old_course = make_course(tasks_per_module=(1,), with_quiz=False, current=False)
    EnrolmentFactory(alt=alt_osaka, course=old_course)
    o["osaka_task"] = old_course.modules.get().tasks.get()
    # Safety: an open check of the Tokyo branch (the owner and the other Tokyo ALT are asked), a closed one,
    # and the owner's well-being check-in.
    for title, closed in (("Tokyo earthquake", False), ("Last year's typhoon", True)):
        check = safety_check_start(
            by=staff_tokyo, title=title, message="Are you safe?", reason="EARTHQUAKE", branches=[tokyo], prefectures=[]
        )
        safety_check_fan_out(check_id=check.pk)
        if closed:
            safety_check_close(check=check, by=staff_tokyo)
        o["closed_check" if closed else "safety_check"] = check
        o["closed_link" if closed else "safety_link"] = answer_token(check_id=check.pk, alt_id=alt_tokyo.pk)
    o["checkin"] = WellbeingCheckin.objects.create(alt=alt_tokyo, branch=tokyo, month=1)
    return world


# --- "did anything change?" -----------------------------------------------------------

SNAPSHOT_APPS = {
    "contacts",
    "onboarding",
    "training",
    "support",
    "safety",
    "interac_portal",
    "admin",
    "auth",
    "account",
}
# Columns that change on a mere visit by design: the login time.
VOLATILE = {"contacts.User": {"last_login"}}


def db_snapshot() -> dict:
    """Every row of the project's tables (and the admin log), to compare before and after."""
    state = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in SNAPSHOT_APPS or meta.proxy or not meta.managed:
            continue
        skip = VOLATILE.get(meta.label, set())
        names = [f.attname for f in meta.concrete_fields if f.attname not in skip]
        state[meta.label] = sorted(model.objects.order_by().values_list(*names), key=repr)
    return state


def snapshot_diff(before: dict, after: dict, *, may_add: frozenset = frozenset()) -> list[str]:
    """What changed between two snapshots; tables in `may_add` may gain rows (but not lose or change any)."""
    changed = []
    for label, rows in after.items():
        if before.get(label) != rows:
            old, new = {repr(r) for r in before.get(label, [])}, {repr(r) for r in rows}
            if label in may_add and old <= new:
                continue
            changed.append(f"{label}: -{sorted(old - new)[:3]} +{sorted(new - old)[:3]}")
    return changed
