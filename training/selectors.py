"""Every read the training pages need, with the permission filter in one place."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from contacts.models import AltProfile, Branch, OrientationTrack, StaffRole, User
from contacts.selectors import branch_scope_for_user
from core.dates import clamp

from .checkin import checkin_token_valid
from .models import CalendarFeed, Registration, TrainingSession

# The attendance record covers this much time back from now.
RECORD_PERIOD = timedelta(days=365)
# The ALT page lists at most this many sessions open for registration.
OPEN_SESSIONS_LIMIT = 50
# ... and the most recent of their past sessions (the others are a click away).
PAST_SESSIONS_SHOWN = 5
# What a session's card on the ALT's pages reads: the rest of the row (its description, the
# trainer's account) stays in the database.
SESSION_CARD_FIELDS = (
    "kind", "track", "title", "title_ja", "start", "end", "place", "online_link", "capacity", "required",
    "registration_deadline", "status",
    "branch__name_en", "branch__name_ja", "trainer__first_name", "trainer__last_name", "trainer__email",
)  # fmt: skip
REGISTRATION_CARD_FIELDS = (
    "session_id", "status", "invited", "answered_at", "note", "waitlist_position",
    *(f"session__{name}" for name in SESSION_CARD_FIELDS),
)  # fmt: skip
# How far before the start each reminder goes out, and how long it stays due
# (the task runs hourly; a reminder missed for a day is not worth sending).
REMINDERS = {
    "7d": (timedelta(days=7), timedelta(days=6)),
    "1d": (timedelta(days=1), timedelta(0)),
}
REMINDER_MARKERS = {"7d": "reminded_7d_for", "1d": "reminded_1d_for"}

Status = Registration.Status


def _start_of_day(day) -> datetime:
    # Clamped: 0001-01-01 at midnight in Tokyo is before the first instant a datetime holds in UTC.
    return timezone.make_aware(datetime.combine(clamp(day), time.min))


def sessions_for_profile_q(profile: AltProfile) -> Q:
    """The sessions that apply to `profile`'s ALT: who may register for what.

    A branch session is for the branch's ALTs who have arrived by its day; a
    national session with an arrival window is for the ALTs arriving in that
    window, and without one for every placed ALT who has arrived by its day.
    An initial orientation is for the ALTs of its track (both tracks while
    GRM or SESPS have not chosen one). ALTs without a branch (placement
    phase) have no sessions yet. Staff may register anyone anywhere
    (`registration_create_by_staff`): this is what ALTs are offered.
    """
    if profile.branch_id is None:
        return Q(pk__in=[])
    condition = Q(branch_id=profile.branch_id) | Q(branch__isnull=True)
    if profile.orientation_track:
        condition &= ~Q(kind=TrainingSession.Kind.INITIAL_ORIENTATION) | Q(track=profile.orientation_track)
    if profile.arrival_date is None:
        return condition & Q(arrival_from__isnull=True)
    in_window = Q(arrival_from__lte=profile.arrival_date, arrival_until__gte=profile.arrival_date)
    arrived_by_then = Q(arrival_from__isnull=True, start__gte=_start_of_day(profile.arrival_date))
    return condition & (in_window | arrived_by_then)


def profiles_for_session_q(session: TrainingSession) -> Q:
    """The ALT profiles a session applies to: the same rule seen from the session."""
    condition = Q(branch__isnull=False, user__is_active=True)
    if session.branch_id is not None:
        condition &= Q(branch_id=session.branch_id)
    if session.kind == TrainingSession.Kind.INITIAL_ORIENTATION and session.track:
        condition &= Q(orientation_track__in=[session.track, ""])
    if session.has_arrival_window:
        return condition & Q(arrival_date__gte=session.arrival_from, arrival_date__lte=session.arrival_until)
    start_day = timezone.localdate(session.start)
    return condition & (Q(arrival_date__isnull=True) | Q(arrival_date__lte=start_day))


def _open_q(now) -> Q:
    return Q(status=TrainingSession.Status.SCHEDULED) & (
        Q(registration_deadline__gt=now) | Q(registration_deadline__isnull=True, start__gt=now)
    )


def _count_subquery(condition: Q, *, per: str) -> Coalesce:
    """The number of registrations matching `condition` (which refers to the outer row), 0 for none."""
    counts = Registration.objects.filter(condition).order_by().values(per).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def held_places_subquery() -> Coalesce:
    """Places taken at the session of the outer row: registered, attended or absent."""
    return _count_subquery(Q(session=OuterRef("pk"), status__in=Registration.HOLDS_PLACE), per="session")


def waitlisted_subquery() -> Coalesce:
    return _count_subquery(Q(session=OuterRef("pk"), status=Status.WAITLISTED), per="session")


# --- the attendance record (attended / required over 12 months) -----------------


@dataclass(frozen=True)
class AttendanceRecord:
    """Required sessions attended out of those the ALT held a place at (excused ones not counted)."""

    attended: int = 0
    required: int = 0
    excused: int = 0
    absent: int = 0
    attended_total: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.attended / self.required) if self.required else None

    @property
    def percent_step(self) -> int:
        """The percentage rounded to a step of 5, for the portal.css progress bar classes."""
        return 5 * round((self.percent or 0) / 5)


def _record_window(now) -> tuple[datetime, datetime]:
    return now - RECORD_PERIOD, now


def record_from_registrations(registrations, *, now=None) -> AttendanceRecord:
    """The record computed from an ALT's registrations already in memory (the /training/ page)."""
    now = now or timezone.now()
    since, until = _record_window(now)
    attended = required = excused = absent = attended_total = 0
    for registration in registrations:
        session = registration.session
        if session.is_cancelled or not (since <= session.start < until):
            continue
        if registration.status == Status.ATTENDED:
            attended_total += 1
        if not session.required:
            continue
        if registration.status == Status.ATTENDED:
            attended += 1
            required += 1
        elif registration.status == Status.ABSENT:
            absent += 1
            required += 1
        elif registration.status == Status.EXCUSED:
            excused += 1
    return AttendanceRecord(
        attended=attended, required=required, excused=excused, absent=absent, attended_total=attended_total
    )


def _record_count(*, statuses, required_only=True, now=None) -> Coalesce:
    since, until = _record_window(now or timezone.now())
    condition = Q(
        alt=OuterRef("user_id"),
        status__in=statuses,
        session__status=TrainingSession.Status.SCHEDULED,
        session__start__gte=since,
        session__start__lt=until,
    )
    if required_only:
        condition &= Q(session__required=True)
    return _count_subquery(condition, per="alt")


def alt_profiles_with_record(queryset: QuerySet[AltProfile], *, now=None) -> QuerySet[AltProfile]:
    """Annotate AltProfiles with their record: the admin list of MCs and trainers (one query)."""
    return queryset.annotate(
        record_attended=_record_count(statuses=[Status.ATTENDED], now=now),
        record_required=_record_count(statuses=[Status.ATTENDED, Status.ABSENT], now=now),
        record_absent=_record_count(statuses=[Status.ABSENT], now=now),
        record_excused=_record_count(statuses=[Status.EXCUSED], now=now),
    )


def training_history_for_alt(*, user_id: int, now=None) -> list[Registration]:
    """One ALT's registrations of the record period, newest first (the admin's training record)."""
    return list(
        Registration.objects.filter(alt_id=user_id, session__start__gte=(now or timezone.now()) - RECORD_PERIOD)
        .select_related("session", "session__branch")
        .order_by("-session__start", "-pk")
    )


# --- the ALT's pages -------------------------------------------------------------


def _awaits_answer_now(registration: Registration, now) -> bool:
    """An unanswered invitation the ALT can still answer: the session is scheduled and open."""
    return registration.awaits_answer and registration.session.is_open(now)


@dataclass
class TrainingOverview:
    upcoming: list = field(default_factory=list)
    past: list = field(default_factory=list)  # newest first
    open_sessions: list = field(default_factory=list)
    record: AttendanceRecord = field(default_factory=AttendanceRecord)
    now: datetime = field(default_factory=timezone.now)

    @property
    def awaiting_answer(self) -> list:
        return [r for r in self.upcoming if _awaits_answer_now(r, self.now)]

    @property
    def recent_past(self) -> list:
        """The past sessions /training/ shows; the rest are on /training/past/."""
        return self.past[:PAST_SESSIONS_SHOWN]


def _registrations_of_record_period(user_id: int, now) -> QuerySet[Registration]:
    """The ALT's registrations at sessions that ended in the record period or have not ended."""
    return (
        Registration.objects.filter(alt_id=user_id, session__end__gte=now - RECORD_PERIOD)
        .select_related("session", "session__branch", "session__trainer")
        .only(*REGISTRATION_CARD_FIELDS)
    )


def training_overview_for_alt(*, profile: AltProfile, now=None) -> TrainingOverview:
    """Everything /training/ shows an ALT, in two queries whatever the number of sessions.

    Their registrations (upcoming, and past ones of the last 12 months with
    attendance), the record computed from them, and the sessions still open for
    registration that apply to them, with the places taken.
    """
    now = now or timezone.now()
    registrations = list(_registrations_of_record_period(profile.user_id, now).order_by("session__start", "session_id"))
    overview = TrainingOverview(record=record_from_registrations(registrations, now=now), now=now)
    for registration in registrations:
        if registration.session.end > now:
            overview.upcoming.append(registration)
        else:
            overview.past.append(registration)
    overview.past.reverse()
    mine = [r.session_id for r in registrations]
    overview.open_sessions = list(
        TrainingSession.objects.filter(_open_q(now), sessions_for_profile_q(profile))
        .exclude(pk__in=mine)
        .select_related("branch", "trainer")
        .only(*SESSION_CARD_FIELDS)
        .annotate(held=held_places_subquery())
        .order_by("start", "pk")[:OPEN_SESSIONS_LIMIT]
    )
    return overview


def training_past_for_alt(*, profile: AltProfile, now=None) -> list[Registration]:
    """The ALT's past sessions of the last 12 months with their attendance, newest first (one query)."""
    now = now or timezone.now()
    return list(
        _registrations_of_record_period(profile.user_id, now)
        .filter(session__end__lte=now)
        .order_by("-session__start", "-session_id")
    )


def session_get_for_alt(*, profile: AltProfile, pk: int) -> TrainingSession:
    """A session the ALT may register for or holds a registration at; 404 otherwise."""
    session = (
        TrainingSession.objects.filter(pk=pk)
        .filter(sessions_for_profile_q(profile) | Q(registrations__alt_id=profile.user_id))
        .distinct()
        .first()
    )
    if session is None:
        raise Http404("No such session")
    return session


def training_dashboard_card(*, profile):
    """The next session and any required one not yet answered (while it can be), in one query (or None)."""
    now = timezone.now()
    upcoming = list(
        Registration.objects.filter(
            alt_id=profile.user_id,
            status__in=[Status.REGISTERED, Status.WAITLISTED],
            session__end__gt=now,
            session__status=TrainingSession.Status.SCHEDULED,
        )
        .select_related("session", "session__branch")
        .order_by("session__start")[:20]
    )
    if not upcoming and profile.branch_id is None:
        return None
    next_registration = next((r for r in upcoming if r.status == Status.REGISTERED), None)
    return {
        "next": next_registration,
        "awaiting_answer": [r for r in upcoming if _awaits_answer_now(r, now)],
    }


# --- the calendar feed -------------------------------------------------------------


def calendar_feed_for_alt(*, alt: User) -> CalendarFeed | None:
    """The ALT's feed, if they have asked for one (a page only reads it: the POST creates it)."""
    return CalendarFeed.objects.filter(alt=alt).first()


def calendar_feed_alt(*, token: str) -> User:
    """The ALT whose feed `token` opens; 404 for an unknown, reset or deactivated one."""
    feed = CalendarFeed.objects.select_related("alt").filter(token=token, alt__is_active=True).first()
    if feed is None:
        raise Http404("No such calendar")
    return feed.alt


def calendar_registrations(*, user: User, now=None) -> list[Registration]:
    """What goes into the feed: the ALT's sessions from 12 months back, cancelled ones included."""
    now = now or timezone.now()
    return list(
        Registration.objects.filter(
            alt=user,
            status__in=[Status.REGISTERED, Status.WAITLISTED, Status.ATTENDED, Status.ABSENT],
            session__start__gte=now - RECORD_PERIOD,
        )
        .select_related("session", "session__branch", "session__trainer")
        .order_by("session__start")
    )


def calendar_registration_for_alt(*, user: User, pk: int) -> Registration:
    """The ALT's own registration at session `pk`, for a one-session calendar file; 404 without one."""
    registration = (
        Registration.objects.filter(
            alt=user,
            session_id=pk,
            status__in=[Status.REGISTERED, Status.WAITLISTED, Status.ATTENDED, Status.ABSENT],
        )
        .select_related("session", "session__branch", "session__trainer")
        .first()
    )
    if registration is None:
        raise Http404("No such registration")
    return registration


# --- check-in at the door ------------------------------------------------------------------


def checkin_session_get(*, pk: int, token: str) -> TrainingSession:
    """The session whose QR code holds `token`; 404 for an unknown session or a wrong token."""
    session = TrainingSession.objects.select_related("branch", "trainer").filter(pk=pk).first()
    if session is None or not checkin_token_valid(session, token):
        raise Http404("No such session")
    return session


def checkin_registration(*, alt: User, session: TrainingSession) -> Registration | None:
    return Registration.objects.filter(alt=alt, session=session).first()


def checkin_counts(*, session: TrainingSession) -> dict:
    """{"attended": n, "places": n}: how many of those holding a place are marked attended."""
    return Registration.objects.filter(session=session).aggregate(
        attended=Count("pk", filter=Q(status=Status.ATTENDED)),
        places=Count("pk", filter=Q(status__in=Registration.HOLDS_PLACE)),
    )


# --- reminders ---------------------------------------------------------------------------


def registrations_due_a_reminder(*, now) -> QuerySet[Registration]:
    """Registrations whose 7-day or 1-day reminder is due and not yet sent for the session's current start.

    Registered active ALTs at scheduled sessions only: anyone else would be
    selected again every hour and never reminded.
    """
    due = Q()
    for name, (before, until) in REMINDERS.items():
        due |= Q(session__start__gt=now + until, session__start__lte=now + before) & ~Q(
            **{REMINDER_MARKERS[name]: F("session__start")}
        )
    return Registration.objects.filter(
        due, status=Status.REGISTERED, session__status=TrainingSession.Status.SCHEDULED, alt__is_active=True
    ).select_related("session", "session__branch", "alt")


# --- staff: sessions and attendance ----------------------------------------------------


def staff_sessions_q(*, user: User) -> Q | None:
    """The sessions `user` takes attendance for; None when they may not take any.

    SESPS (national trainers) and superusers: every session. A branch trainer:
    their branch's sessions, and any session they are the named trainer of.
    """
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    scope = branch_scope_for_user(user=user)  # cached on the user for the request
    if user.is_superuser or StaffRole.Role.SESPS in scope.roles:
        return Q()
    if StaffRole.Role.TRAINER not in scope.roles:
        return None
    return led_sessions_q(user=user)


def _trainer_branch_ids(user: User) -> QuerySet:
    # The scope's branches are those of all the user's roles (an MC of another branch too):
    # the trainer's own go into a query as a subquery, not a query of their own.
    return StaffRole.objects.filter(user=user, role=StaffRole.Role.TRAINER).values("branch_id")


def takes_attendance_expression(*, user: User):
    """An annotation: True on the sessions `user` takes attendance for (staff_sessions_q), in the same query."""
    condition = staff_sessions_q(user=user)
    if not condition:  # None: no session; Q(): every session
        return Value(condition is not None)
    return ExpressionWrapper(condition, output_field=BooleanField())


def staff_session_changeable(*, user: User, session: TrainingSession) -> bool:
    """Whether `user` may change `session` in the admin: the sessions they take attendance for.

    Viewing follows the branches of all their roles (the admin's branch scope);
    changing follows `staff_sessions_q`, so that a trainer who is an MC at
    another branch only views that branch's sessions. The admin's rows carry
    the answer already (`takes_attendance`, annotated from the same Q): no query then.
    """
    annotated = getattr(session, "takes_attendance", None)
    if annotated is not None:
        return bool(annotated)
    condition = staff_sessions_q(user=user)
    if condition is None:
        return False
    if not condition or session.pk is None:  # Q(): every session; or a new one
        return True
    return TrainingSession.objects.filter(condition, pk=session.pk).exists()


def staff_session_branches(*, user: User) -> QuerySet[Branch]:
    """The branches `user` may hold sessions for: all for SESPS and superusers, a trainer's own."""
    condition = staff_sessions_q(user=user)
    if condition is None:
        return Branch.objects.none()
    if not condition:
        return Branch.objects.all()
    return Branch.objects.filter(pk__in=_trainer_branch_ids(user))


def staff_session_list(*, user: User, now=None) -> list[TrainingSession]:
    """Sessions for the trainer's phone: from a week ago to a month ahead, with places taken."""
    condition = staff_sessions_q(user=user)
    if condition is None:
        raise Http404("Not a trainer")
    now = now or timezone.now()
    return list(
        TrainingSession.objects.filter(
            condition, start__gte=now - timedelta(days=7), start__lte=now + timedelta(days=31)
        )
        .select_related("branch", "trainer")
        .annotate(held=held_places_subquery(), waitlisted=waitlisted_subquery())
        .order_by("start", "pk")
    )


def staff_session_get(*, user: User, pk: int) -> TrainingSession:
    """A session the trainer may take attendance for; 404 for any other."""
    condition = staff_sessions_q(user=user)
    if condition is None:
        raise Http404("Not a trainer")
    session = TrainingSession.objects.filter(condition, pk=pk).select_related("branch", "trainer").first()
    if session is None:
        raise Http404("No such session")
    return session


def attendance_sheet(*, session: TrainingSession) -> list[Registration]:
    """Everyone on the session's list, those with a place first, then the waiting list."""
    order = {Status.WAITLISTED: 1}
    registrations = list(
        Registration.objects.filter(session=session)
        .select_related("alt")
        .order_by("alt__last_name", "alt__first_name", "alt__email")
    )
    registrations.sort(key=lambda r: (order.get(r.status, 0), r.waitlist_position or 0))
    return registrations


# --- orientation fill by track (SESPS) --------------------------------------------------


@dataclass(frozen=True)
class TrackFill:
    track: str
    label: str
    sessions: int = 0
    capacity: int = 0
    taken: int = 0
    waitlisted: int = 0
    alts: int = 0  # active ALTs with a branch on this track
    alts_unregistered: int = 0  # of them, not on the list of an upcoming orientation of their track

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


def _upcoming_orientation_q(now) -> Q:
    return Q(kind=TrainingSession.Kind.INITIAL_ORIENTATION, status=TrainingSession.Status.SCHEDULED, start__gt=now)


def arrived_without_orientation_q(*, today=None) -> Q:
    """ALT profiles (active, with a branch) whose arrival date has come and who hold no place at an initial
    orientation (registered, on a waiting list or attended; absent or excused ones need another)."""
    oriented = Registration.objects.filter(
        alt_id=OuterRef("user_id"),
        session__kind=TrainingSession.Kind.INITIAL_ORIENTATION,
        session__status=TrainingSession.Status.SCHEDULED,
        status__in=[Status.REGISTERED, Status.WAITLISTED, Status.ATTENDED],
    )
    return Q(
        user__is_active=True,
        branch__isnull=False,
        arrival_date__lte=today or timezone.localdate(),
    ) & ~Q(Exists(oriented))


def orientation_fill_by_track(*, now=None) -> list[TrackFill]:
    """Upcoming initial orientation per track: sessions, places taken and free, waiting lists, and the ALTs
    on the track who are on no upcoming session of it yet. Two queries whatever the numbers."""
    now = now or timezone.now()
    sessions = list(
        TrainingSession.objects.filter(_upcoming_orientation_q(now))
        .annotate(held=held_places_subquery(), waiting=waitlisted_subquery())
        .values("track", "capacity", "held", "waiting")
    )
    on_a_session = Registration.objects.filter(
        alt_id=OuterRef("user_id"),
        session__kind=TrainingSession.Kind.INITIAL_ORIENTATION,
        session__status=TrainingSession.Status.SCHEDULED,
        session__start__gt=now,
        session__track=OuterRef("orientation_track"),
        status__in=[Status.REGISTERED, Status.WAITLISTED],
    )
    alts = {
        (row["orientation_track"], row["listed"]): row["n"]
        for row in AltProfile.objects.filter(user__is_active=True, branch__isnull=False)
        .exclude(orientation_track="")
        .annotate(listed=Exists(on_a_session))
        .values("orientation_track", "listed")
        .annotate(n=Count("pk"))
        .order_by()
    }
    fills = []
    for track in OrientationTrack:
        mine = [row for row in sessions if row["track"] == track.value]
        unlisted = alts.get((track.value, False), 0)
        fills.append(
            TrackFill(
                track=track.value,
                label=str(track.label),
                sessions=len(mine),
                capacity=sum(row["capacity"] for row in mine),
                taken=sum(row["held"] for row in mine),
                waitlisted=sum(row["waiting"] for row in mine),
                alts=unlisted + alts.get((track.value, True), 0),
                alts_unregistered=unlisted,
            )
        )
    return fills


def arrived_without_orientation_count() -> int:
    """The arrived ALTs on no orientation (arrived_without_orientation_q). One query."""
    return AltProfile.objects.filter(arrived_without_orientation_q()).count()


# --- a trainer's worklist (interac_portal.worklist) ------------------------------------------------
# Each list is what the admin's session list shows with the filter the worklist links to.

# Sessions that ended this long ago or less with someone not marked yet: attendance not taken.
ATTENDANCE_CHASE_PERIOD = timedelta(days=14)
DAYS_AHEAD = 7


def _day_range_q(first_day, days: int) -> Q:
    return Q(start__gte=_start_of_day(first_day), start__lt=_start_of_day(first_day + timedelta(days=days)))


def sessions_today_q(*, now=None) -> Q:
    """Sessions starting today (Japan time)."""
    return _day_range_q(timezone.localdate(now), 1)


def sessions_next_days_q(*, now=None) -> Q:
    """Sessions starting in the 7 days after today."""
    return _day_range_q(timezone.localdate(now) + timedelta(days=1), DAYS_AHEAD)


def _unmarked_exists() -> Exists:
    return Exists(Registration.objects.filter(session=OuterRef("pk"), status=Status.REGISTERED))


def attendance_not_taken_q(*, now=None) -> Q:
    """Scheduled sessions that ended in the last 14 days with someone still only registered (not marked)."""
    now = now or timezone.now()
    return Q(status=TrainingSession.Status.SCHEDULED, end__lte=now, end__gt=now - ATTENDANCE_CHASE_PERIOD) & Q(
        _unmarked_exists()
    )


def led_sessions_q(*, user: User) -> Q:
    """The sessions of the branches where `user` is a trainer, and those they are the named trainer of."""
    return Q(branch_id__in=_trainer_branch_ids(user)) | Q(trainer=user)


@dataclass
class TrainerWorklist:
    today: list = field(default_factory=list)
    next_days: list = field(default_factory=list)
    not_taken: list = field(default_factory=list)


def trainer_worklist(*, user: User, now=None) -> TrainerWorklist:
    """`user`'s scheduled sessions (led_sessions_q, within the branches they see in the admin): today's, the
    next 7 days', and those of the last 14 days whose attendance was not taken. One query."""
    now = now or timezone.now()
    scope = branch_scope_for_user(user=user)
    sessions = TrainingSession.objects.filter(led_sessions_q(user=user), status=TrainingSession.Status.SCHEDULED)
    if not scope.all_branches:
        sessions = sessions.filter(branch_id__in=scope.branch_ids)
    today = timezone.localdate(now)
    window = _day_range_q(today, 1 + DAYS_AHEAD) | Q(end__lte=now, end__gt=now - ATTENDANCE_CHASE_PERIOD)
    rows = (
        sessions.filter(window)
        .annotate(unmarked=_unmarked_exists(), held=held_places_subquery())
        .select_related("branch")
        .order_by("start", "pk")
    )
    found = TrainerWorklist()
    for session in rows:
        day = timezone.localdate(session.start)
        if day == today:
            found.today.append(session)
        elif today < day <= today + timedelta(days=DAYS_AHEAD):
            found.next_days.append(session)
        if session.unmarked and now - ATTENDANCE_CHASE_PERIOD < session.end <= now:
            found.not_taken.append(session)
    return found
