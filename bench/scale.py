"""The company-scale data set of `make bench`, written with PostgreSQL COPY.

Run after `seed_demo` on an empty database: it adds branches, staff, ALTs with
placements, e-learning, training and support rows around the demo cast, every
required field filled as the services would (references and their counters,
due times from office hours, triage columns, versions, history rows). The data
is shaped so that each reminder task has real work: ALTs departing within 30
days and not yet invited, enrolled ALTs behind schedule, sessions 1 and 7 days
out, thousands of overdue requests.

Deterministic (a seeded random generator) for a given day. Not idempotent by
itself: `bench/run.py` starts from a fresh database every run.
"""

import random
import uuid
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from concurrency.fields import VersionField
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from contacts.models import AltProfile, Branch, StaffRole, User
from contacts.prefectures import CODES as PREFECTURE_CODES
from contacts.roles import group_name_for_role
from onboarding.checklist import STEPS
from onboarding.models import (
    ChecklistItem,
    Course,
    Enrolment,
    Module,
    Placement,
    PlacementEvent,
    Stage,
    Task,
    TaskCompletion,
)
from onboarding.models.placement import PIPELINE
from support.due import OfficeHours, due_at_for
from support.models import Category, Message, ReferenceCounter, Status, SupportRequest, Urgency
from training.models import Registration, TrainingSession


@dataclass(frozen=True)
class Scale:
    branches: int = 20
    alts: int = 10_000
    requests: int = 100_000
    messages: int = 300_000
    sessions: int = 2_000
    registrations: int = 100_000
    completions: int = 300_000
    tasks: int = 40


COMPANY = Scale()
# A few seconds: the smoke test of the machinery.
TINY = Scale(branches=3, alts=120, requests=600, messages=1_800, sessions=40, registrations=600, completions=2_400)

COUNTRIES = ["United States", "United Kingdom", "Ireland", "Canada", "Australia", "New Zealand", "Philippines"]
COUNTRIES += ["South Africa", "Jamaica", "India", "Singapore"]
FIRST = ["Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Mia", "Lucas", "Chloe", "Ethan", "Grace", "Jack"]
FIRST += ["Sophie", "Oscar", "Ruby", "Leo", "Isla", "Finn", "Zoe", "Adam", "Maya", "Ryan", "Nina", "Sam"]
LAST = ["Smith", "Jones", "Brown", "Wilson", "Taylor", "Walsh", "Murphy", "Clarke", "Reyes", "Santos", "Nguyen"]
LAST += ["Patel", "Khan", "Kelly", "Evans", "Moore", "Young", "King", "Wright", "Hill", "Green", "Baker"]
SUBJECTS = {
    Category.CITY_HALL: ["Registering my new address", "Which forms for the ward office?", "My residence card"],
    Category.MOBILE_PHONE: ["Mobile plan without a credit card", "My SIM stopped working", "Changing carrier"],
    Category.BANK_ACCOUNT: ["Opening a bank account", "Cash card not arrived", "Sending money home"],
    Category.DOCTOR: ["Finding an English-speaking doctor", "Dentist appointment", "Health check at school"],
    Category.HOUSING: ["Water heater broken", "Garbage sorting rules", "Moving out next month"],
    Category.MUNICIPAL: ["Pension refund form", "Resident tax letter", "National health insurance"],
    Category.WELLBEING: ["I would like to talk to someone", "Feeling isolated", "Stress at school"],
    Category.OTHER: ["Bicycle registration", "Driving licence conversion", "Parcel delivery notice"],
}
CATEGORY_WEIGHTS = {
    Category.CITY_HALL: 12,
    Category.MOBILE_PHONE: 14,
    Category.BANK_ACCOUNT: 12,
    Category.DOCTOR: 12,
    Category.HOUSING: 20,
    Category.MUNICIPAL: 12,
    Category.WELLBEING: 4,
    Category.OTHER: 14,
}
URGENCY_WEIGHTS = {Urgency.LOW: 15, Urgency.NORMAL: 55, Urgency.HIGH: 22, Urgency.URGENT: 8}
REPLIES = [
    "Thank you for your message. Could you send a photo of the letter?",
    "I have booked an appointment for you on Tuesday at 10:00.",
    "Bring your residence card and passport.",
    "That worked, thank you!",
    "Sorry, I am still waiting for the landlord to call back.",
    "The form is attached at the city hall counter; ask for the English version.",
]
NOTES = ["Called the landlord; will follow up Friday.", "Checked with the school coordinator.", "Escalated to MC."]


# --- COPY ------------------------------------------------------------------------------


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _next_id(model) -> int:
    """The first free primary key (history rows have their own, `history_id`)."""
    pk = _qn(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {_qn(model._meta.db_table)}")
        return cursor.fetchone()[0] + 1


def copy_rows(model, fields: list[str], rows) -> int:
    """COPY `rows` (tuples in the order of `fields`, model field names) into `model`'s table."""
    table = model._meta.db_table
    # A version column (optimistic locking) has no database default: every row starts at 1.
    versions = [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, VersionField) and field.name not in fields
    ]
    columns = ", ".join(_qn(model._meta.get_field(name).column) for name in [*fields, *versions])
    extra = (1,) * len(versions)
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {_qn(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *extra))
                count += 1
        pk = model._meta.pk
        if pk.name in fields and isinstance(pk, models.AutoField | models.BigAutoField):
            # Later inserts through the ORM continue after the keys written here.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), (SELECT MAX({_qn(pk.column)}) FROM {_qn(table)}))",
                [table, pk.column],
            )
    return count


# --- helpers -----------------------------------------------------------------------------


def _aware(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _split(total: int, parts: int, rng: random.Random, low: int, high: int) -> list[int]:
    """`parts` integers in [low, high] adding up to `total` (as near as the bounds allow)."""
    counts = [rng.randint(low, high) for _ in range(parts)]
    difference = total - sum(counts)
    step = 1 if difference > 0 else -1
    guard = 0
    while difference and guard < 50 * parts + abs(difference) * 4:
        i = rng.randrange(parts)
        if low <= counts[i] + step <= high:
            counts[i] += step
            difference -= step
        guard += 1
    return counts


@dataclass
class Alt:
    id: int
    group: str  # "pipeline", "invite", "nudge", "later", "arrived"
    stage: str
    branch_id: int | None
    mc_id: int | None
    owner_id: int
    departure: date | None
    arrival: date | None
    created: datetime
    language: str


# --- the seeding ---------------------------------------------------------------------------


def seed_scale(scale: Scale = COMPANY, *, seed: int = 7) -> dict:
    """Write the data set around the demo cast (run `seed_demo` first). Returns the row counts."""
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    counts: dict[str, int] = {}
    with transaction.atomic():
        branches = _branches(scale, counts)
        staff = _staff(branches, counts, rng)
        course, tasks = _course(scale)
        alts = _alts(scale, branches, staff, counts, rng, now, today)
        _placements(alts, counts, rng, now)
        _elearning(scale, alts, course, tasks, counts, rng, now, today)
        _checklists(alts, counts, rng, now)
        _support(scale, alts, branches, staff, counts, rng, now)
        _training(scale, alts, branches, staff, counts, rng, now, today)
    with connection.cursor() as cursor:
        # What autovacuum would have done by the time such tables are in production, done
        # now rather than while the pages are measured (VACUUM cannot run in a transaction,
        # as in the tests).
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return counts


def _branches(scale: Scale, counts: dict) -> list[Branch]:
    existing = list(Branch.objects.order_by("pk"))
    rows = []
    first = _next_id(Branch)
    for n in range(len(existing), scale.branches):
        number = n + 1
        rows.append(
            (
                first + len(rows),
                f"branch-{number:02d}",
                f"Branch {number:02d}",
                f"第{number}支店",
                f"branch{number:02d}@example.com",
                f"0{number % 9 + 1}-0000-{number:04d}",
                f"090-0000-{number:04d}",
                f"{number} Example Street",
                "",
                time(8, 30) if number % 3 else time(9, 0),
                time(17, 30) if number % 3 else time(18, 0),
                "12345",
            )
        )
    fields = ["id", "code", "name_en", "name_ja", "email", "phone", "emergency_phone", "address_en", "address_ja"]
    counts["branches"] = copy_rows(Branch, [*fields, "office_opens", "office_closes", "office_days"], rows)
    return list(Branch.objects.order_by("pk"))


USER_FIELDS = ["id", "password", "is_superuser", "first_name", "last_name", "email", "is_staff", "is_active"]
USER_FIELDS += ["date_joined", "preferred_language", "phone"]


def _staff(branches: list[Branch], counts: dict, rng: random.Random) -> dict:
    """Three MCs, a scheduler and a trainer per branch (the demo branches keep theirs and get two more MCs)."""
    password = make_password(None)
    groups = {role: Group.objects.get(name=group_name_for_role(role)).pk for role in StaffRole.Role.values}
    users, roles, memberships = [], [], []
    next_user, next_role = _next_id(User), _next_id(StaffRole)
    have = {(r.branch_id, r.role): r for r in StaffRole.objects.filter(branch__isnull=False)}
    wanted = [("MC", 3), ("SCHEDULER", 1), ("TRAINER", 1)]
    for branch in branches:
        for role, number in wanted:
            already = sum(1 for (b, r) in have if b == branch.pk and r == role)
            for i in range(already, number):
                uid = next_user + len(users)
                language = "ja" if rng.random() < 0.7 else "en"
                email = f"{role.lower()}{i + 1}.{branch.code}@bench.example.com"
                users.append(
                    (uid, password, False, rng.choice(FIRST), rng.choice(LAST), email, True, True, timezone.now())
                    + (language, "")
                )
                roles.append((next_role + len(roles), uid, role, branch.pk, True))
                memberships.append((uid, groups[role]))
    grms = []
    for i in range(4):
        uid = next_user + len(users)
        users.append(
            (uid, password, False, rng.choice(FIRST), rng.choice(LAST), f"grm{i + 2}@bench.example.com", True, True)
            + (timezone.now(), "en", "")
        )
        roles.append((next_role + len(roles), uid, "GRM", None, False))
        memberships.append((uid, groups["GRM"]))
        grms.append(uid)
    counts["staff"] = copy_rows(User, USER_FIELDS, users)
    copy_rows(StaffRole, ["id", "user_id", "role", "branch_id", "is_contact"], roles)
    copy_rows(User.groups.through, ["user_id", "group_id"], memberships)
    by_branch: dict = {}
    for role in StaffRole.objects.filter(branch__isnull=False).order_by("pk"):
        by_branch.setdefault(role.branch_id, {}).setdefault(role.role, []).append(role.user_id)
    national = dict(StaffRole.objects.filter(branch__isnull=True).values_list("role", "user_id"))
    grm_ids = list(StaffRole.objects.filter(role="GRM").order_by("pk").values_list("user_id", flat=True))
    return {"by_branch": by_branch, "grm": grm_ids, "sesps": national.get("SESPS")}


def _course(scale: Scale) -> tuple[Course, list[Task]]:
    """The current course, grown to `scale.tasks` active tasks with a module of extra readings."""
    course = Course.objects.get(is_current=True)
    active = Task.objects.filter(module__course=course, is_active=True, module__is_active=True).count()
    if active < scale.tasks:
        order = (course.modules.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        module = Module.objects.create(
            course=course, order=order, title_en="Getting around Japan", title_ja="日本での移動"
        )
        Task.objects.bulk_create(
            Task(
                module=module,
                order=n,
                kind=Task.Kind.READING,
                title_en=f"Getting around, part {n}",
                title_ja=f"日本での移動 その{n}",
                body_en="Trains, buses and bicycles: what to know before your first commute.",
                requires_previous=False,
                version=course.version,
            )
            for n in range(1, scale.tasks - active + 1)
        )
    tasks = list(
        Task.objects.filter(module__course=course, is_active=True, module__is_active=True).order_by(
            "module__order", "order", "id"
        )
    )
    # The demo's arrived ALTs finished the course: the extra readings too.
    for enrolment in Enrolment.objects.filter(course=course, completed_at__isnull=False):
        TaskCompletion.objects.bulk_create(
            [TaskCompletion(enrolment=enrolment, task=t, course_version=course.version) for t in tasks],
            ignore_conflicts=True,
        )
    return course, tasks


def home_prefecture(branch_number: int | None, uid: int) -> str:
    """Where a placed ALT lives: one of three neighbouring prefectures per branch, from the ids alone
    (no draw from the random generator, so the rest of the data set is the same with or without it)."""
    if branch_number is None:
        return ""
    return PREFECTURE_CODES[(branch_number * 2 + uid % 3) % len(PREFECTURE_CODES)]


def _wave_arrival(rng: random.Random, today: date) -> date:
    """Arrivals come in waves, early April and late August, over the last three years."""
    while True:
        year = today.year - rng.randint(0, 3)
        base = date(year, 4, 1) if rng.random() < 0.6 else date(year, 8, 20)
        day = base + timedelta(days=rng.randint(-6, 10))
        if day < today - timedelta(days=2):
            return day


def _alts(scale, branches, staff, counts, rng, now, today) -> list[Alt]:
    n = scale.alts
    plan = [
        ("pipeline", int(n * 0.09)),  # applied .. placement, withdrawn: no branch yet
        ("invite", int(n * 0.10)),  # confirmed, departing within 30 days, not enrolled yet
        ("nudge", int(n * 0.10)),  # enrolled weeks ago, behind, departing soon
        ("later", int(n * 0.015)),  # confirmed, departing in one to four months
    ]
    plan.append(("arrived", n - sum(size for _, size in plan)))
    pipeline_stages = {Stage.APPLIED: 35, Stage.INTERVIEWED: 20, Stage.OFFERED: 13, Stage.PLACEMENT: 19}
    pipeline_stages[Stage.WITHDRAWN] = 13
    # The demo ALTs (seed_demo) take part like everyone else.
    demo = []
    for profile in AltProfile.objects.select_related("user"):
        placement = Placement.objects.filter(alt_id=profile.user_id).values("stage").first()
        demo.append(
            Alt(
                id=profile.user_id,
                group="demo",
                stage=placement["stage"] if placement else Stage.APPLIED,
                branch_id=profile.branch_id,
                mc_id=profile.managing_consultant_id,
                owner_id=profile.grm_contact_id or staff["grm"][0],
                departure=profile.departure_date,
                arrival=profile.arrival_date,
                created=profile.user.date_joined,
                language=profile.user.preferred_language,
            )
        )
    password = make_password(None)
    first = _next_id(User)
    alts, users, profiles = [], [], []
    branch_ids = [b.pk for b in branches]
    branch_number = {pk: n for n, pk in enumerate(branch_ids)}
    for group, size in plan:
        for _ in range(size):
            uid = first + len(alts)
            branch_id = rng.choice(branch_ids)
            departure = arrival = None
            if group == "pipeline":
                stage, branch_id = _pick(rng, pipeline_stages), None
                departure = today + timedelta(days=rng.randint(60, 300))
            elif group == "invite":
                stage = rng.choice([Stage.CONFIRMED, Stage.PRE_DEPARTURE])
                departure = today + timedelta(days=rng.randint(1, 30))
            elif group == "nudge":
                stage = Stage.PRE_DEPARTURE
                departure = today + timedelta(days=rng.randint(2, 8))
            elif group == "later":
                stage = Stage.CONFIRMED
                departure = today + timedelta(days=rng.randint(31, 120))
            else:
                stage = Stage.ARRIVED
                arrival = _wave_arrival(rng, today)
                departure = arrival - timedelta(days=1)
            if arrival is None and branch_id is not None:
                arrival = departure + timedelta(days=1)
            mcs = staff["by_branch"].get(branch_id, {}).get("MC", []) if branch_id else []
            created = _aware(min(departure, today) - timedelta(days=rng.randint(90, 200)))
            alt = Alt(
                id=uid,
                group=group,
                stage=stage,
                branch_id=branch_id,
                mc_id=rng.choice(mcs) if mcs else None,
                owner_id=rng.choice(staff["grm"]),
                departure=departure,
                arrival=arrival,
                created=created,
                language="ja" if rng.random() < 0.1 else "en",
            )
            alts.append(alt)
            email = f"alt{len(alts):05d}@bench.example.com"
            users.append(
                (uid, password, False, rng.choice(FIRST), rng.choice(LAST), email, False, True, created)
                + (alt.language, f"080-{uid % 10000:04d}-{len(alts) % 10000:04d}")
            )
            profiles.append(
                (uid, uid, alt.branch_id, alt.mc_id, alt.owner_id, rng.choice(COUNTRIES), departure, arrival, created)
                + (home_prefecture(branch_number.get(alt.branch_id), uid),)
            )
    counts["alts"] = copy_rows(User, USER_FIELDS, users)
    fields = ["id", "user_id", "branch_id", "managing_consultant_id", "grm_contact_id", "country"]
    first_profile = _next_id(AltProfile)
    profiles = [(first_profile + i, *row[1:]) for i, row in enumerate(profiles)]
    copy_rows(AltProfile, [*fields, "departure_date", "arrival_date", "invited_at", "prefecture"], profiles)
    return alts + demo


def _placements(alts: list[Alt], counts: dict, rng: random.Random, now: datetime) -> None:
    placements, events = [], []
    first, first_event = _next_id(Placement), _next_id(PlacementEvent)
    for alt in alts:
        if alt.group == "demo":
            continue
        pk = first + len(placements)
        if alt.stage == Stage.WITHDRAWN:
            walked = [*PIPELINE[: rng.randint(1, 4)], Stage.WITHDRAWN]
        else:
            walked = PIPELINE[: PIPELINE.index(alt.stage) + 1]
        at = alt.created
        previous = ""
        for stage in walked:
            events.append((first_event + len(events), pk, previous, stage, alt.owner_id, at, ""))
            previous = stage
            last = at
            at = min(at + timedelta(days=rng.randint(5, 20)), now - timedelta(hours=1))
        placements.append((pk, alt.id, alt.stage, alt.owner_id, alt.branch_id, last, alt.created))
    # The travel dates are the profiles' (written with them above).
    fields = ["id", "alt_id", "stage", "owner_id", "branch_id", "stage_changed_at", "created"]
    counts["placements"] = copy_rows(Placement, fields, placements)
    counts["placement_events"] = copy_rows(
        PlacementEvent, ["id", "placement_id", "from_stage", "to_stage", "by_id", "at", "note"], events
    )


def _elearning(scale, alts, course, tasks, counts, rng, now, today) -> None:
    """Arrived ALTs finished the course before they flew; the "nudge" group is part-way and behind."""
    arrived = [a for a in alts if a.group == "arrived"]
    behind = [a for a in alts if a.group == "nudge"]
    total = len(tasks)
    rest = max(0, scale.completions - len(arrived) * total)
    # Behind: at most three quarters done with a few days to go.
    done_counts = _split(rest, len(behind), rng, 3, total * 3 // 4) if behind else []
    enrolments, completions = [], []
    first, first_completion = _next_id(Enrolment), _next_id(TaskCompletion)
    quiz = {t.pk for t in tasks if t.kind == Task.Kind.QUIZ}
    for alt, done in [(a, total) for a in arrived] + list(zip(behind, done_counts, strict=True)):
        pk = first + len(enrolments)
        if alt.group == "arrived":
            enrolled = _aware(alt.departure - timedelta(days=35))
            finished = _aware(alt.departure - timedelta(days=2))
        else:
            enrolled = now - timedelta(days=rng.randint(20, 28))
            finished = None
        span = max(1, int(((finished or now) - enrolled).total_seconds()))
        moments = sorted(enrolled + timedelta(seconds=rng.randrange(span)) for _ in range(done))
        for task, moment in zip(tasks[:done], moments, strict=False):
            completions.append(
                (first_completion + len(completions), pk, task.pk, course.version, moment)
                + (100 if task.pk in quiz else None, None, "")
            )
        last_nudged = None if alt.group == "arrived" or rng.random() < 0.7 else now - timedelta(days=5)
        enrolments.append((pk, alt.id, course.pk, enrolled, enrolled, last_nudged, finished))
    fields = ["id", "alt_id", "course_id", "enrolled_at", "invited_at", "last_nudged_at", "completed_at"]
    counts["enrolments"] = copy_rows(Enrolment, fields, enrolments)
    fields = ["id", "enrolment_id", "task_id", "course_version", "completed_at", "score", "marked_by_id", "reason"]
    counts["task_completions"] = copy_rows(TaskCompletion, fields, completions)


def _checklists(alts, counts, rng, now) -> None:
    rows = []
    first = _next_id(ChecklistItem)
    for alt in alts:
        if alt.group != "arrived":
            continue
        ticked = rng.randint(2, 6)
        for i, step in enumerate(STEPS):
            done = _aware(alt.arrival + timedelta(days=i + 2)) if i < ticked else None
            rows.append((first + len(rows), alt.id, step.kind, alt.arrival + timedelta(days=step.due_days), done))
    fields = ["id", "alt_id", "kind", "due_on", "done_at"]
    counts["checklist_items"] = copy_rows(ChecklistItem, fields, rows)


def _support(scale, alts, branches, staff, counts, rng, now) -> None:
    """Requests from arrived ALTs: most long closed, a few thousand open and past their due time."""
    hours = {b.pk: OfficeHours.of(b) for b in branches}
    arrived = [a for a in alts if a.stage == Stage.ARRIVED and a.branch_id]
    demo = [a for a in arrived if a.group == "demo"]
    counters = dict(ReferenceCounter.objects.values_list("year", "last"))
    requests, history, messages = [], [], []
    first, first_history = _next_id(SupportRequest), _next_id(SupportRequest.history.model)
    first_message = _next_id(Message)
    per_request = _split(scale.messages, scale.requests, rng, 0, 8)
    # The demo ALTs ask often (their pages are measured); one thread of theirs is long.
    owners = [demo[i % len(demo)] for i in range(min(len(demo) * 20, scale.requests // 10))] if demo else []
    owners += [rng.choice(arrived) for _ in range(scale.requests - len(owners))]
    if owners and owners[0].group == "demo":
        per_request[0] = 10
    # A few percent are open and mostly overdue: the overdue sweep and the triage list have work.
    for index, alt in enumerate(owners):
        pk = first + index
        branch_people = staff["by_branch"][alt.branch_id]
        category = _pick(rng, CATEGORY_WEIGHTS)
        urgency = _pick(rng, URGENCY_WEIGHTS)
        arrived_at = _aware(alt.arrival, 12)
        roll = rng.random()
        if roll < 0.045:
            created = now - timedelta(days=rng.randint(3, 25), minutes=rng.randint(0, 600))
            status = rng.choice([Status.NEW, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.WAITING_ON_ALT])
        elif roll < 0.06:
            created = now - timedelta(minutes=rng.randint(5, 300))
            status = rng.choice([Status.NEW, Status.IN_PROGRESS])
        else:
            span = max(3600, int((now - timedelta(days=3) - arrived_at).total_seconds()))
            created = arrived_at + timedelta(seconds=rng.randrange(span))
            status = Status.CLOSED if rng.random() < 0.7 else Status.RESOLVED
        created = max(created, arrived_at)
        due = due_at_for(start=created, urgency=urgency, hours=hours[alt.branch_id])
        if category == Category.WELLBEING:
            assignee = alt.mc_id if status != Status.NEW else None
        elif status == Status.NEW:
            assignee = None
        else:
            assignee = rng.choice(branch_people.get("SCHEDULER", []) + branch_people.get("MC", []))
        year = timezone.localtime(created).year
        counters[year] = counters.get(year, 0) + 1
        reference = f"SR-{year}-{counters[year]:06d}"
        subject = rng.choice(SUBJECTS[category])
        details = f"{subject}. I am in {alt.arrival:%B %Y} intake; please tell me what to do next."
        # The thread, in time order, ending before now.
        thread_end = now - timedelta(minutes=1)
        moment, last_activity = created, created
        for k in range(per_request[index]):
            moment = min(moment + timedelta(hours=rng.randint(1, 48)), thread_end)
            from_staff = k % 2 == 0
            internal = from_staff and rng.random() < 0.15
            staff_author = assignee or (alt.mc_id if category == Category.WELLBEING else None)
            author = (staff_author or rng.choice(branch_people["SCHEDULER"])) if from_staff else alt.id
            body = rng.choice(NOTES if internal else REPLIES)
            messages.append((first_message + len(messages), pk, author, body, internal, from_staff, moment))
            last_activity = moment
        resolved = None
        if status in (Status.RESOLVED, Status.CLOSED):
            resolved = min(last_activity + timedelta(hours=rng.randint(1, 72)), thread_end)
            last_activity = max(last_activity, resolved)
        token = uuid.UUID(int=rng.getrandbits(128), version=4)
        requests.append(
            (pk, reference, alt.id, alt.branch_id, category, subject, details, urgency, status, assignee, due)
            + (created, last_activity, resolved, token, 1, None)
        )
        history.append(
            (first_history + index, pk, reference, category, subject, details, urgency, Status.NEW, due, created)
            + (None, alt.id, alt.branch_id, None, created, None, "+", alt.id)
        )
    fields = ["id", "reference", "alt_id", "branch_id", "category", "subject", "details", "urgency", "status"]
    fields += ["assignee_id", "due_at", "created", "last_activity_at", "resolved_at", "submit_token", "version"]
    counts["support_requests"] = copy_rows(SupportRequest, [*fields, "overdue_flagged_for"], requests)
    fields = ["history_id", "id", "reference", "category", "subject", "details", "urgency", "status", "due_at"]
    fields += ["created", "resolved_at", "alt_id", "branch_id", "assignee_id", "history_date"]
    fields += ["history_change_reason", "history_type", "history_user_id"]
    copy_rows(SupportRequest.history.model, fields, history)
    fields = ["id", "support_request_id", "author_id", "body", "is_internal", "from_staff", "created"]
    counts["support_messages"] = copy_rows(Message, fields, messages)
    for year, last in counters.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})


def _training(scale, alts, branches, staff, counts, rng, now, today) -> None:
    """Branch sessions over the last year and the next two months, national orientations per arrival
    wave; a few dozen sessions start within a day and within a week (the reminders' windows)."""
    placed = [a for a in alts if a.branch_id and a.arrival]
    by_branch: dict = {}
    for alt in sorted(placed, key=lambda a: a.arrival):
        by_branch.setdefault(alt.branch_id, []).append(alt)
    arrivals = {b: [a.arrival for a in members] for b, members in by_branch.items()}
    national = max(1, scale.sessions // 20)
    reminder_each = max(1, scale.sessions // 35)  # sessions per reminder window
    per_session = _split(scale.registrations, scale.sessions, rng, 5, 90)
    sessions, registrations = [], []
    first, first_registration = _next_id(TrainingSession), _next_id(Registration)
    branch_list = [b.pk for b in branches]
    for index in range(scale.sessions):
        pk = first + index
        if index < national:
            wave = _wave_arrival(rng, today + timedelta(days=60))
            start = _aware(wave + timedelta(days=rng.randint(2, 6)), 9)
            window = (wave - timedelta(days=7), wave + timedelta(days=7))
            kind, track, branch_id, trainer = "INITIAL_ORIENTATION", rng.choice(["FLAGSHIP", "ALTERNATE"]), None, None
            trainer = staff["sesps"]
            eligible = [a for a in placed if window[0] <= a.arrival <= window[1]]
        else:
            j = index - national
            branch_id = branch_list[j % len(branch_list)]
            if j < reminder_each:
                start = now + timedelta(hours=rng.randint(2, 22))
            elif j < 2 * reminder_each:
                start = now + timedelta(days=6, hours=rng.randint(2, 22))
            else:
                start = _aware(today + timedelta(days=rng.randint(-365, 60)), rng.choice([9, 13, 15]))
            kind, track, window = rng.choice(["BRANCH_TRAINING", "ALT_MEETING"]), "", (None, None)
            trainer = staff["by_branch"][branch_id]["TRAINER"][0]
            day = timezone.localdate(start)
            members = by_branch.get(branch_id, [])
            eligible = members[: bisect_right(arrivals.get(branch_id, []), day)]
        wanted = min(per_session[index], len(eligible))
        chosen = rng.sample(eligible, wanted)
        if branch_id is not None:
            # The demo ALTs go to every session of their branch: their pages are measured.
            chosen += [a for a in eligible if a.group == "demo" and a not in chosen]
        capacity = max(len(chosen), 20) + rng.randint(0, 20)
        end = start + timedelta(hours=3)
        required = kind == "INITIAL_ORIENTATION" or rng.random() < 0.2
        title = "" if kind == "INITIAL_ORIENTATION" else f"{TrainingSession.Kind(kind).label} {index % 12 + 1}"
        sessions.append(
            (pk, kind, track, title, "", branch_id, trainer, start, end, f"Room {index % 9 + 1}", "", capacity)
            + (required, None, "SCHEDULED", window[0], window[1], start - timedelta(days=30))
        )
        past = start < now
        for alt in chosen:
            status = _pick(rng, {"ATTENDED": 85, "ABSENT": 8, "EXCUSED": 7}) if past else "REGISTERED"
            created = start - timedelta(days=rng.randint(2, 25))
            answered = created + timedelta(hours=5) if required else None
            seven = start if start - now < timedelta(days=6) else None
            one = start if past else None
            registrations.append(
                (first_registration + len(registrations), alt.id, pk, status, required, answered, "", None, None)
                + (created, start if past else created, trainer if past else None, seven, one)
            )
    fields = ["id", "kind", "track", "title", "description", "branch_id", "trainer_id", "start", "end", "place"]
    fields += ["online_link", "capacity", "required", "registration_deadline", "status", "arrival_from"]
    counts["training_sessions"] = copy_rows(TrainingSession, [*fields, "arrival_until", "created"], sessions)
    fields = ["id", "alt_id", "session_id", "status", "invited", "answered_at", "note", "waitlist_position"]
    fields += ["waitlisted_at", "created", "status_changed_at", "marked_by_id", "reminded_7d_for", "reminded_1d_for"]
    counts["registrations"] = copy_rows(Registration, fields, registrations)
