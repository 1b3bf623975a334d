"""The staff worklist at `/`: what waits for each of a person's roles, each line a link to the admin list of
its rows, with the same counts in the admin's navigation.

It reads every feature app, so it lives here, above them. Each app counts its own rows (its selectors) with
the conditions of the admin filter the line links to, in the branches the admin shows the person.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from contacts.models import StaffRole, User
from contacts.selectors import branch_scope_for_user
from core.formats import format_datetime, format_time
from onboarding import selectors as onboarding
from support import selectors as support
from training import selectors as training

Role = StaffRole.Role
# The requests named on the worklist, the soonest due first; the admin list has the rest.
ASSIGNED_SHOWN = 10


@dataclass
class Item:
    """A row named on the worklist: a request, a session, a stage."""

    label: str
    url: str
    detail: str = ""
    value: str = ""  # a number shown beside it
    flags: list = field(default_factory=list)  # short warnings: "Overdue", "Urgent"
    action: tuple | None = None  # (label, url): what to do with it, e.g. take attendance


@dataclass
class Line:
    key: str
    label: str
    count: int
    url: str
    nav_label: str = ""  # shown in the admin's navigation (when not empty and the count is not 0)
    value: str = ""  # what the badge shows, when not the count
    urgent: bool = False  # a count above 0 needs doing: a red badge
    items: list = field(default_factory=list)
    note: str = ""

    @property
    def badge(self) -> str:
        return self.value or str(self.count)

    @property
    def badge_class(self) -> str:
        if self.urgent and self.count:
            return "text-bg-danger"
        return "text-bg-primary" if self.count else "text-bg-light border"


@dataclass
class Section:
    key: str
    title: str
    lines: list


def _admin_list(model: str, **params) -> str:
    url = reverse(f"admin:{model}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _when(value) -> str:
    # As the admin's lists show times.
    return format_datetime(value)


# --- support: the requests assigned to me, and my branch's queue ------------------------------


def _support_section(user: User, found, *, detail: bool) -> Section:
    requests = "support_supportrequest"
    assigned = Line(
        "assigned",
        _("Requests assigned to me, by due time"),
        found.assigned,
        _admin_list(requests, assignee="me", state="open"),
        nav_label=_("Assigned to me"),
    )
    if detail and found.assigned:
        now = timezone.now()
        for support_request in support.support_requests_assigned_open(user=user, limit=ASSIGNED_SHOWN):
            flags = [gettext("Urgent")] if support_request.urgency == "URGENT" else []
            if support_request.due_at < now:
                flags.append(gettext("Overdue"))
            assigned.items.append(
                Item(
                    label=support_request.reference,
                    url=reverse("admin:support_supportrequest_change", args=[support_request.pk]),
                    detail=gettext("%(subject)s · due %(when)s")
                    % {"subject": support_request.subject, "when": _when(support_request.due_at)},
                    flags=flags,
                )
            )
        if found.assigned > ASSIGNED_SHOWN:
            assigned.note = gettext("The %(shown)s due first; the list has all %(count)s.") % {
                "shown": ASSIGNED_SHOWN,
                "count": found.assigned,
            }
    lines = [assigned]
    if found.works_queue:
        lines += [
            Line(
                "unassigned",
                _("Unassigned in my branch"),
                found.unassigned,
                _admin_list(requests, assignee="none", desk="branch", state="open"),
                nav_label=_("Unassigned"),
                urgent=True,
            ),
            Line(
                "overdue",
                _("Overdue in my branch"),
                found.overdue,
                _admin_list(requests, desk="branch", overdue="yes"),
                nav_label=_("Overdue"),
                urgent=True,
            ),
            Line(
                "waiting_long",
                _("Waiting on the ALT for more than 5 days"),
                found.waiting_long,
                _admin_list(requests, desk="branch", state="waiting_long"),
                nav_label=_("Waiting on the ALT"),
            ),
        ]
    return Section("support", gettext("Support requests"), lines)


# --- MC: my ALTs ------------------------------------------------------------------------------------


def _my_alts_section(user: User) -> Section:
    return Section(
        "my_alts",
        gettext("My ALTs"),
        [
            Line(
                "handovers",
                _("Handovers to acknowledge"),
                onboarding.handovers_to_acknowledge_count(user=user),
                _admin_list("onboarding_handover", state="waiting", mine="received"),
                nav_label=_("Handovers"),
                urgent=True,
            ),
            Line(
                "checklist",
                _("Arrival checklist steps past due"),
                onboarding.checklist_items_past_due_count_for_mc(user=user),
                _admin_list("onboarding_checklistitem", past_due="yes", mine="yes"),
                nav_label=_("Checklist past due"),
            ),
        ],
    )


# --- trainers: my sessions ------------------------------------------------------------------------


def _session_item(session, *, now, when: str) -> Item:
    facts = [when, session.branch.name if session.branch_id else gettext("National (SESPS)")]
    facts.append(
        gettext("%(taken)s of %(capacity)s places taken") % {"taken": session.held, "capacity": session.capacity}
    )
    action = None
    if session.attendance_open(now):
        action = (gettext("Take attendance"), reverse("training:attendance", args=[session.pk]))
    return Item(
        label=session.display_title,
        url=reverse("admin:training_trainingsession_change", args=[session.pk]),
        detail=" · ".join(facts),
        action=action,
    )


def _trainer_section(user: User, *, detail: bool) -> Section:
    now = timezone.now()
    found = training.trainer_worklist(user=user, now=now)
    sessions = "training_trainingsession"
    scheduled = {"status__exact": "SCHEDULED", "mine": "yes"}
    today = Line(
        "sessions_today",
        _("Sessions today"),
        len(found.today),
        _admin_list(sessions, when="today", **scheduled),
        nav_label=_("Sessions today"),
    )
    week = Line(
        "sessions_next_days",
        _("Sessions in the next 7 days"),
        len(found.next_days),
        _admin_list(sessions, when="next_days", **scheduled),
    )
    not_taken = Line(
        "attendance_not_taken",
        _("Attendance not taken (sessions of the last 14 days)"),
        len(found.not_taken),
        _admin_list(sessions, attendance="not_taken", mine="yes"),
        nav_label=_("Attendance not taken"),
        urgent=True,
    )
    if detail:
        today.items = [
            _session_item(s, now=now, when=f"{format_time(s.start)}–{format_time(s.end)}") for s in found.today
        ]
        week.items = [_session_item(s, now=now, when=_when(s.start)) for s in found.next_days]
        not_taken.items = [_session_item(s, now=now, when=_when(s.start)) for s in found.not_taken]
    return Section("training", gettext("My training sessions"), [today, week, not_taken])


# --- GRM: placements and applicants' questions ----------------------------------------------------------


def _grm_section(user: User, found) -> Section:
    pipeline = onboarding.placement_pipeline_for_user(user=user)
    placements = "onboarding_placement"
    by_stage = Line(
        "placements_by_stage",
        _("Placements by stage"),
        pipeline.total,
        _admin_list(placements),
        items=[
            Item(label=stage.label, url=_admin_list(placements, stage__exact=stage.stage), value=str(stage.count))
            for stage in pipeline.stages
        ],
    )
    lines = [
        Line(
            "placements_stuck",
            _("Stuck in a stage for more than 14 days (applied to placement)"),
            pipeline.stuck,
            _admin_list(placements, stuck="yes"),
            nav_label=_("Stuck placements"),
            urgent=True,
        ),
        by_stage,
    ]
    if found is not None and found.grm_desk is not None:
        lines.insert(
            0,
            Line(
                "applicants_questions",
                _("Applicants' questions (open, on GRM's desk)"),
                found.grm_desk,
                _admin_list("support_supportrequest", desk="grm", state="open"),
                nav_label=_("Applicants' questions"),
            ),
        )
    return Section("grm", gettext("Recruiting and placement"), lines)


# --- SESPS: initial orientation -----------------------------------------------------------------------


def _sesps_section(*, detail: bool) -> Section:
    missing = Line(
        "orientation_missing",
        _("Arrived ALTs not registered for orientation"),
        training.arrived_without_orientation_count(),
        _admin_list("training_alttrainingrecord", orientation="missing"),
        nav_label=_("Not registered for orientation"),
        urgent=True,
    )
    lines = [missing]
    for fill in training.orientation_fill_by_track() if detail else []:
        lines.append(
            Line(
                f"fill_{fill.track.lower()}",
                gettext("Upcoming orientation, %(track)s track: places taken") % {"track": fill.label},
                fill.taken,
                _admin_list(
                    "training_trainingsession",
                    kind__exact="INITIAL_ORIENTATION",
                    track__exact=fill.track,
                    status__exact="SCHEDULED",
                    when="upcoming",
                ),
                value=f"{fill.taken} / {fill.capacity}",
                note=" · ".join(
                    [
                        ngettext("%(n)s session", "%(n)s sessions", fill.sessions) % {"n": fill.sessions},
                        ngettext("%(n)s on the waiting list", "%(n)s on the waiting lists", fill.waitlisted)
                        % {"n": fill.waitlisted},
                        ngettext(
                            "%(n)s ALT on the track is on no session yet",
                            "%(n)s ALTs on the track are on no session yet",
                            fill.alts_unregistered,
                        )
                        % {"n": fill.alts_unregistered},
                    ]
                ),
            )
        )
    return Section("sesps", gettext("Initial orientation"), lines)


# --- all of it --------------------------------------------------------------------------------------------


def worklist_sections(*, user: User, detail: bool = True) -> list[Section]:
    """The sections of each of `user`'s roles, in a fixed order. `detail`: with the rows named on the page
    (the requests assigned to them, the sessions, placements by stage, orientation fill); without, only the
    counts the admin's navigation shows. About a dozen queries with every role, whatever the data."""
    scope = branch_scope_for_user(user=user)
    roles = scope.roles
    found = support.support_worklist(user=user)
    sections = []
    if found is not None and (found.works_queue or found.assigned):
        sections.append(_support_section(user, found, detail=detail))
    if Role.MC in roles:
        sections.append(_my_alts_section(user))
    if Role.TRAINER in roles:
        sections.append(_trainer_section(user, detail=detail))
    if Role.GRM in roles:
        sections.append(_grm_section(user, found))
    if Role.SESPS in roles:
        sections.append(_sesps_section(detail=detail))
    return sections


def worklist_nav_lines(*, user: User) -> list[Line]:
    """The lines the admin's navigation shows: those with a short label and something in them."""
    return [
        line
        for section in worklist_sections(user=user, detail=False)
        for line in section.lines
        if line.nav_label and line.count
    ]
