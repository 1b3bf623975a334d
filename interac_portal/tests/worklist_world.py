"""A world for the worklist's tests: each branch with requests in every state the worklist counts, training
sessions around today, a handover waiting, an arrived ALT with checklist steps past due; GRM's placements and
applicants' questions; initial orientation for SESPS. Every branch row has a twin in the other branch, so a
row of the wrong branch shows up as a wrong count or a name that should not be there."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from contacts.models import StaffRole
from onboarding.models import Handover, Placement, Stage
from onboarding.services import checklist_create_for_alt, placement_move
from support.models import Category, Status
from testing.contacts import make_alt, make_staff
from testing.onboarding import PlacementFactory
from testing.support import SupportRequestFactory
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import Registration, TrainingSession

Role = StaffRole.Role


def day_at(day, hour: int = 0, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass
class BranchRows:
    """What one branch's worklists name, by line: references, session titles, handover and placement references."""

    assigned_mc: list = field(default_factory=list)
    assigned_scheduler: list = field(default_factory=list)
    unassigned: list = field(default_factory=list)  # as the MC sees it (well-being ones included)
    unassigned_for_scheduler: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    waiting_long: list = field(default_factory=list)
    handovers: list = field(default_factory=list)
    checklist_alt: str = ""
    checklist_count: int = 0
    sessions_today: list = field(default_factory=list)
    sessions_next_days: list = field(default_factory=list)
    not_taken: list = field(default_factory=list)
    elsewhere: list = field(default_factory=list)  # names that appear on no other branch's worklist


@dataclass
class World:
    branches: dict
    grm_assigned: list
    grm_desk: list
    stuck: list
    orientation_missing: list
    flagship_sessions: list


def _request(alt, *, subject, now, due_in=timedelta(days=1), **fields):
    return SupportRequestFactory(alt=alt, subject=subject, due_at=now + due_in, **fields)


def branch_rows(*, code, branch, mc, scheduler, trainer, alt, now, extra: int = 0) -> BranchRows:
    rows = BranchRows()
    name = code.capitalize()
    for n in range(1 + extra):
        mine = _request(alt, subject=f"{name} keys {n}", now=now, assignee=mc)
        rows.assigned_mc.append(mine.reference)
        late = _request(
            alt,
            subject=f"{name} late {n}",
            now=now,
            due_in=-timedelta(hours=2),
            assignee=scheduler,
            status=Status.IN_PROGRESS,
        )
        rows.assigned_scheduler.append(late.reference)
        rows.overdue.append(late.reference)
        nobody = _request(alt, subject=f"{name} nobody {n}", now=now)
        rows.unassigned.append(nobody.reference)
        rows.unassigned_for_scheduler.append(nobody.reference)
        private = _request(alt, subject=f"{name} private {n}", now=now, category=Category.WELLBEING)
        rows.unassigned.append(private.reference)
        # Waiting on the ALT: nothing for 6 days (to chase), and for 2.
        quiet, recent = (
            _request(
                alt,
                subject=f"{name} {word} {n}",
                now=now,
                assignee=scheduler,
                status=Status.WAITING_ON_ALT,
                last_activity_at=now - timedelta(days=days),
            )
            for word, days in (("quiet", 6), ("recent", 2))
        )
        rows.assigned_scheduler += [quiet.reference, recent.reference]
        rows.waiting_long.append(quiet.reference)
        done = _request(
            alt, subject=f"{name} done {n}", now=now, due_in=-timedelta(days=5), assignee=mc, status=Status.RESOLVED
        )
        rows.elsewhere += [r.reference for r in (mine, late, nobody, quiet, recent, done)]

    # A confirmed newcomer handed to the MC, not acknowledged yet.
    for n in range(1 + extra):
        newcomer = make_alt(email=f"new{n}.{code}@example.com")
        flies = timezone.localdate(now) + timedelta(days=60)  # not arrived: no orientation expected yet
        placement = PlacementFactory(
            alt=newcomer, stage=Stage.PLACEMENT, departure_date=flies, arrival_date=flies + timedelta(days=1)
        )
        placement_move(placement=placement, to_stage=Stage.CONFIRMED, by=None, branch=branch, managing_consultant=mc)
        rows.handovers.append(str(Handover.objects.get(placement=placement)))
    rows.elsewhere += rows.handovers

    # The ALT arrived a month ago: their first steps are past due.
    PlacementFactory(
        alt=alt, stage=Stage.ARRIVED, branch=branch, arrival_date=timezone.localdate(now) - timedelta(days=30)
    )
    checklist_create_for_alt(alt_id=alt.pk)
    rows.checklist_alt = alt.email
    rows.checklist_count = alt.checklist_items.filter(due_on__lt=timezone.localdate(now), done_at__isnull=True).count()

    today = timezone.localdate(now)

    def session(title, start, end=None, **fields):
        created = TrainingSessionFactory(
            title=f"{name} {title}",
            branch=branch,
            trainer=trainer,
            start=start,
            end=end or start + timedelta(hours=2),
            registration_deadline=None,
            **fields,
        )
        rows.elsewhere.append(created.title)
        return created

    for n in range(1 + extra):
        all_day = session(f"drop-in {n}", day_at(today), day_at(today + timedelta(days=1)))
        RegistrationFactory(session=all_day, alt=alt)
        rows.sessions_today.append(all_day.title)
        soon = session(f"meeting {n}", day_at(today + timedelta(days=3), 10))
        rows.sessions_next_days.append(soon.title)
        session(f"workshop {n}", day_at(today + timedelta(days=10), 10))
        unmarked = session(f"review {n}", day_at(today - timedelta(days=5), 14))
        RegistrationFactory(session=unmarked, alt=alt)
        rows.not_taken.append(unmarked.title)
        marked = session(f"marked {n}", day_at(today - timedelta(days=4), 14))
        RegistrationFactory(session=marked, alt=alt, status=Registration.Status.ATTENDED)
        long_ago = session(f"long ago {n}", day_at(today - timedelta(days=20), 14))
        RegistrationFactory(session=long_ago, alt=alt)
        session(f"called off {n}", day_at(today, 15), status=TrainingSession.Status.CANCELLED)
    return rows


def build_world(*, tokyo, osaka, people: dict, grm, applicant, extra: int = 0) -> World:
    """`people`: {"tokyo": (mc, scheduler, trainer, alt), "osaka": (...)}."""
    now = timezone.now()
    branches = {}
    for code, branch in (("tokyo", tokyo), ("osaka", osaka)):
        mc, scheduler, trainer, alt = people[code]
        branches[code] = branch_rows(
            code=code, branch=branch, mc=mc, scheduler=scheduler, trainer=trainer, alt=alt, now=now, extra=extra
        )

    # GRM: questions asked before a branch was confirmed, and placements, one stuck.
    grm_assigned, stuck = [], []
    for n in range(1 + extra):
        asker = applicant if n == 0 else make_alt(email=f"applicant{n}@example.com", grm=grm)
        question = _request(asker, subject=f"Visa {n}", now=now, assignee=grm, branch=None)
        grm_assigned.append(question.reference)
        _request(asker, subject=f"Flights {n}", now=now, assignee=grm, branch=None, status=Status.RESOLVED)
        waiting = PlacementFactory(alt=asker, stage=Stage.PLACEMENT, owner=grm)
        Placement.objects.filter(pk=waiting.pk).update(stage_changed_at=now - timedelta(days=20))
        stuck.append(str(waiting))
        fresh = PlacementFactory(alt=make_alt(email=f"fresh{n}@example.com", grm=grm), stage=Stage.APPLIED, owner=grm)
        Placement.objects.filter(pk=fresh.pk).update(stage_changed_at=now - timedelta(days=3))

    # SESPS: Tokyo's ALT attended orientation; Osaka's has arrived and is on none.
    _mc, _scheduler, _trainer, alt_tokyo = people["tokyo"]
    _mc, _scheduler, _trainer, alt_osaka = people["osaka"]
    orientation = {"kind": "INITIAL_ORIENTATION", "branch": None, "track": "FLAGSHIP", "capacity": 20}
    past = TrainingSessionFactory(title="Orientation (last intake)", start=now - timedelta(days=20), **orientation)
    RegistrationFactory(session=past, alt=alt_tokyo, status=Registration.Status.ATTENDED)
    flagship = [
        TrainingSessionFactory(title=f"Orientation {n}", start=now + timedelta(days=20 + n), **orientation)
        for n in range(1 + extra)
    ]
    return World(
        branches=branches,
        grm_assigned=grm_assigned,
        grm_desk=list(grm_assigned),
        stuck=stuck,
        orientation_missing=[alt_osaka.email],
        flagship_sessions=[s.title for s in flagship],
    )


def everyone(request_fixture) -> dict:
    """The cast of the root conftest, by branch (mc, scheduler, trainer, alt)."""
    get = request_fixture.getfixturevalue
    return {
        code: (get(f"mc_{code}"), get(f"staff_{code}"), get(f"trainer_{code}"), get(f"alt_{code}"))
        for code in ("tokyo", "osaka")
    }


def make_all_roles(*, tokyo, email="all.roles@example.com"):
    """One person holding every role: MC, scheduler and trainer of Tokyo, GRM and SESPS."""
    person = make_staff(role=Role.MC, branch=tokyo, email=email, first_name="Ren")
    from contacts.services import staff_role_grant

    for role in (Role.SCHEDULER, Role.TRAINER):
        staff_role_grant(user=person, role=role, branch=tokyo)
    for role in (Role.GRM, Role.SESPS):
        staff_role_grant(user=person, role=role)
    return person
