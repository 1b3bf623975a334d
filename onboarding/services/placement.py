"""The placement pipeline. Every stage change, from the admin form, the bulk
action or the CSV import, goes through `placement_move`."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from contacts.models import AltProfile, Branch, StaffRole, User
from contacts.services import alt_profile_update, notify

from ..models import Placement, PlacementEvent, Stage
from ..models.placement import BRANCH_STAGES, PIPELINE
from .checklist import checklist_create_for_alt, checklist_reschedule
from .handover import handover_open, handovers_call_off

# Where a placement may go from each stage. Back from CONFIRMED to PLACEMENT
# when a branch falls through; a withdrawn applicant may apply again.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.APPLIED: (Stage.INTERVIEWED, Stage.WITHDRAWN),
    Stage.INTERVIEWED: (Stage.OFFERED, Stage.WITHDRAWN),
    Stage.OFFERED: (Stage.PLACEMENT, Stage.WITHDRAWN),
    Stage.PLACEMENT: (Stage.CONFIRMED, Stage.WITHDRAWN),
    Stage.CONFIRMED: (Stage.PRE_DEPARTURE, Stage.PLACEMENT, Stage.WITHDRAWN),
    Stage.PRE_DEPARTURE: (Stage.ARRIVED, Stage.CONFIRMED, Stage.WITHDRAWN),
    Stage.ARRIVED: (),
    Stage.WITHDRAWN: (Stage.APPLIED,),
}

# A new placement (admin add form, CSV import) starts before the branch is known.
START_STAGES = (Stage.APPLIED, Stage.INTERVIEWED, Stage.OFFERED, Stage.PLACEMENT)


class IllegalMove(ValidationError):
    """A stage change the pipeline does not allow; the message says why."""


def allowed_moves(stage: str) -> tuple[str, ...]:
    return TRANSITIONS.get(stage, ())


def next_stage(stage: str) -> str | None:
    """The next stage along the pipeline, or None at the end (ARRIVED) or off it (WITHDRAWN)."""
    if stage not in PIPELINE or stage == PIPELINE[-1]:
        return None
    return PIPELINE[PIPELINE.index(stage) + 1]


def _label(stage: str) -> str:
    try:
        return str(Stage(stage).label)
    except ValueError:
        return str(stage)


def placement_check_move(*, placement: Placement, to_stage: str, branch: Branch | None = None) -> None:
    """Raise IllegalMove, with a message for people, when `placement` may not move to `to_stage`."""
    if to_stage not in Stage.values:
        raise IllegalMove(_("“%(stage)s” is not a stage.") % {"stage": to_stage}, code="unknown_stage")
    current = placement.stage
    if to_stage == current:
        raise IllegalMove(_("The placement is already at %(stage)s.") % {"stage": _label(current)}, code="same")
    allowed = allowed_moves(current)
    if to_stage not in allowed:
        if allowed:
            message = _("A placement cannot move from %(from)s to %(to)s. From %(from)s it can move to: %(allowed)s.")
        else:
            message = _("A placement cannot move from %(from)s to %(to)s. %(from)s is the end of the pipeline.")
        raise IllegalMove(
            message % {"from": _label(current), "to": _label(to_stage), "allowed": ", ".join(map(_label, allowed))},
            code="not_allowed",
        )
    if to_stage in BRANCH_STAGES and (branch or placement.branch) is None:
        raise IllegalMove(_("Choose the target branch before confirming the placement."), code="no_branch")


def _branch_mcs(branch: Branch):
    """The branch's active MCs, the one with the fewest ALTs first."""
    return (
        User.objects.filter(staff_roles__role=StaffRole.Role.MC, staff_roles__branch=branch, is_active=True)
        .annotate(alt_count=Count("consulted_alts", distinct=True))
        .order_by("alt_count", "pk")
    )


def placement_check_mc(*, branch: Branch, managing_consultant: User) -> None:
    """Raise IllegalMove unless `managing_consultant` is an active MC of `branch`."""
    if not _branch_mcs(branch).filter(pk=managing_consultant.pk).exists():
        raise IllegalMove(
            _("%(person)s is not a Managing Consultant of %(branch)s.")
            % {"person": managing_consultant.display_name, "branch": branch.name},
            code="not_mc",
        )


def placement_check_branch(*, placement: Placement, branch: Branch | None, to_stage: str | None = None) -> None:
    """Raise IllegalMove when the branch would change while the ALT stays with it (a branch stage)."""
    staying = placement.stage in BRANCH_STAGES and (to_stage is None or to_stage in BRANCH_STAGES)
    branch_id = branch.pk if branch is not None else None
    if staying and branch_id != placement.branch_id:
        raise IllegalMove(_("Move the placement back to PLACEMENT before changing its branch."), code="branch_locked")


def _choose_mc(*, branch: Branch, chosen: User | None) -> User | None:
    if chosen is not None:
        placement_check_mc(branch=branch, managing_consultant=chosen)
        return chosen
    return _branch_mcs(branch).first()


def _travel_dates(alt_id: int) -> dict:
    """The ALT's departure and arrival dates: their profile's, the one place they live."""
    return AltProfile.objects.filter(user_id=alt_id).values("departure_date", "arrival_date").first() or {
        "departure_date": None,
        "arrival_date": None,
    }


def _notify_confirmed(*, placement: Placement, event: PlacementEvent, mc: User | None) -> None:
    """The ALT is told; the MC gets the handover (`handover_open`)."""
    notify(
        kind="onboarding.placement_confirmed",
        key=f"onboarding.placement_confirmed:{event.pk}",
        template="onboarding/email/placement_confirmed",
        context={
            "alt": placement.alt,
            "branch": placement.branch,
            "mc": mc,
            "departure_date": _travel_dates(placement.alt_id)["departure_date"],
            "team_url": reverse("contacts:support_team"),
            "onboarding_url": reverse("onboarding:index"),
        },
        recipient=placement.alt,
    )


@transaction.atomic
def placement_move(
    *,
    placement: Placement,
    to_stage: str,
    by: User | None,
    note: str = "",
    branch: Branch | None = None,
    managing_consultant: User | None = None,
) -> Placement:
    """Move `placement` to `to_stage` if the pipeline allows it, and record who did it and why.

    On CONFIRMED the ALT's branch is set and their MC assigned (the one given,
    or the branch's MC with the fewest ALTs); the ALT is emailed and the MC
    gets the handover. Back to PLACEMENT, or WITHDRAWN, the branch team is taken
    off the ALT and a handover not yet acknowledged is called off. On ARRIVED
    the arrival checklist is opened, each step due some days after arrival.
    Raises IllegalMove and changes nothing when the move is not allowed.
    """
    locked = Placement.objects.select_for_update().get(pk=placement.pk)
    if branch is not None and branch.pk != locked.branch_id:
        # The branch is fixed while the ALT is with it; a move out of those stages may change it.
        placement_check_branch(placement=locked, branch=branch, to_stage=to_stage)
        locked.branch = branch
    placement_check_move(placement=locked, to_stage=to_stage)
    from_stage = locked.stage
    now = timezone.now()
    locked.stage = to_stage
    locked.stage_changed_at = now
    mc = None
    if to_stage == Stage.CONFIRMED and from_stage not in BRANCH_STAGES:
        mc = _choose_mc(branch=locked.branch, chosen=managing_consultant)
    locked.save()
    event = PlacementEvent.objects.create(
        placement=locked, from_stage=from_stage, to_stage=to_stage, by=by, at=now, note=note
    )
    if to_stage == Stage.CONFIRMED and from_stage not in BRANCH_STAGES:
        alt_profile_update(user_id=locked.alt_id, branch=locked.branch, managing_consultant=mc)
        _notify_confirmed(placement=locked, event=event, mc=mc)
        handover_open(placement=locked, event=event, mc=mc)
    elif to_stage in (Stage.PLACEMENT, Stage.WITHDRAWN) and from_stage in BRANCH_STAGES:
        # Back to placement, or withdrawn: the branch team lets go of the ALT.
        alt_profile_update(user_id=locked.alt_id, branch=None, managing_consultant=None)
        handovers_call_off(placement=locked)
    if to_stage == Stage.ARRIVED:
        arrival = _travel_dates(locked.alt_id)["arrival_date"]
        if arrival is None:  # arrived without a planned date: today is the arrival
            arrival = timezone.localdate()
            alt_profile_update(user_id=locked.alt_id, arrival_date=arrival)
        checklist_create_for_alt(alt_id=locked.alt_id, arrival_date=arrival)
    for field in ("stage", "stage_changed_at", "branch_id"):
        setattr(placement, field, getattr(locked, field))
    if "branch" in placement._state.fields_cache:
        del placement._state.fields_cache["branch"]
    placement.last_event = event
    placement.assigned_mc = mc
    return placement


@transaction.atomic
def placement_create(
    *,
    alt: User,
    by: User | None,
    owner: User | None = None,
    branch: Branch | None = None,
    departure_date=None,
    arrival_date=None,
    stage: str = Stage.APPLIED,
    note: str = "",
) -> Placement:
    """Open the placement of an ALT (one per ALT). Travel dates given are written to the ALT's profile."""
    if stage not in START_STAGES:
        raise IllegalMove(
            format_lazy(
                _("A new placement starts at one of: {stages}. Move it on from there."),
                stages=", ".join(map(_label, START_STAGES)),
            ),
            code="bad_start",
        )
    if Placement.objects.filter(alt=alt).exists():
        raise IllegalMove(_("This ALT already has a placement."), code="duplicate")
    profile = AltProfile.objects.filter(user=alt).first()
    if profile is None:
        raise IllegalMove(_("Only ALT accounts have a placement."), code="not_alt")
    placement = Placement.objects.create(
        alt=alt,
        stage=stage,
        owner=owner if owner is not None else profile.grm_contact,
        branch=branch,
    )
    PlacementEvent.objects.create(placement=placement, from_stage="", to_stage=stage, by=by, note=note)
    dates = {"departure_date": departure_date, "arrival_date": arrival_date}
    alt_profile_update(
        user_id=alt.pk,
        grm_contact_id=placement.owner_id,
        **{name: day for name, day in dates.items() if day is not None},
    )
    return placement


# The placement's own fields that `placement_update` changes; the travel dates and the orientation track
# are facts of the ALT's profile, written through contacts.
PLACEMENT_FIELDS = ("owner", "branch", "arrival_flight", "housing_status", "notes_for_mc")
PROFILE_FIELDS = ("departure_date", "arrival_date", "orientation_track")
UPDATABLE = (*PLACEMENT_FIELDS, *PROFILE_FIELDS)


@transaction.atomic
def placement_update(*, placement: Placement, by: User | None, **fields) -> Placement:
    """Change the owner, target branch, travel dates, what the MC is handed, or the ALT's orientation track.

    Not the stage: see `placement_move`. The travel dates and the orientation
    track are facts of the ALT's profile (every app reads them there): they are
    written through contacts, and the placement's version moves too, so that a
    placement form open meanwhile is refused rather than undoing the change.
    Moving the arrival date of an arrived ALT moves their checklist's due dates.
    """
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"placement_update() cannot change {sorted(unknown)}")
    profile_fields = {name: fields.pop(name) for name in PROFILE_FIELDS if name in fields}
    if "orientation_track" in profile_fields:
        profile_fields["orientation_track"] = profile_fields["orientation_track"] or ""
    locked = Placement.objects.select_for_update().get(pk=placement.pk)
    if "branch" in fields:
        placement_check_branch(placement=locked, branch=fields["branch"])
    if "owner" in fields and fields["owner"] is not None:
        is_grm = StaffRole.objects.filter(user=fields["owner"], role=StaffRole.Role.GRM).exists()
        if not is_grm:
            raise IllegalMove(_("The owner must be a member of GRM staff."), code="owner_not_grm")
    if not fields and not profile_fields:
        return placement
    for name, value in fields.items():
        setattr(locked, name, value)
        setattr(placement, name, value)
    locked.save(update_fields=[*fields, "version"])  # the version too: an admin form open meanwhile is stale
    placement.version = locked.version
    if "owner" in fields:
        profile_fields["grm_contact_id"] = locked.owner_id
    if profile_fields:
        alt_profile_update(user_id=locked.alt_id, **profile_fields)
    arrival = profile_fields.get("arrival_date")
    if arrival is not None and locked.stage == Stage.ARRIVED:
        checklist_reschedule(alt_id=locked.alt_id, arrival_date=arrival)
    return placement


@transaction.atomic
def placement_change(
    *,
    placement: Placement,
    by: User | None,
    stage: str | None = None,
    note: str = "",
    managing_consultant: User | None = None,
    **fields,
) -> Placement:
    """Change the details and, when `stage` differs, the stage, in the order the pipeline needs.

    Leaving the branch stages comes first (the branch may change after it);
    entering them comes last (the branch must be set before a confirmation).
    The admin's change form and the CSV import both come through here.
    """
    moving = bool(stage) and stage != placement.stage
    if moving and placement.has_branch_stage:
        placement_move(placement=placement, to_stage=stage, by=by, note=note, managing_consultant=managing_consultant)
        moving = False
    if fields:
        placement_update(placement=placement, by=by, **fields)
    if moving:
        placement_move(placement=placement, to_stage=stage, by=by, note=note, managing_consultant=managing_consultant)
    return placement


def owner_candidates():
    """Who may own a placement: GRM staff."""
    return User.objects.filter(Q(staff_roles__role=StaffRole.Role.GRM), is_active=True).distinct()
