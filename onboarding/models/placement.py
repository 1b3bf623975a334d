from concurrency.fields import AutoIncVersionField
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.versions import VersionedManager


class Stage(models.TextChoices):
    APPLIED = "APPLIED", _("Applied")
    INTERVIEWED = "INTERVIEWED", _("Interviewed")
    OFFERED = "OFFERED", _("Offered")
    PLACEMENT = "PLACEMENT", _("Placement")
    CONFIRMED = "CONFIRMED", _("Confirmed")
    PRE_DEPARTURE = "PRE_DEPARTURE", _("Pre-departure")
    ARRIVED = "ARRIVED", _("Arrived")
    WITHDRAWN = "WITHDRAWN", _("Withdrawn")


# The road an ALT walks, in order. WITHDRAWN is off the road.
PIPELINE = [
    Stage.APPLIED,
    Stage.INTERVIEWED,
    Stage.OFFERED,
    Stage.PLACEMENT,
    Stage.CONFIRMED,
    Stage.PRE_DEPARTURE,
    Stage.ARRIVED,
]


class HousingStatus(models.TextChoices):
    NOT_STARTED = "NOT_STARTED", _("Not arranged yet")
    ARRANGING = "ARRANGING", _("Being arranged")
    ARRANGED = "ARRANGED", _("Arranged")
    OWN = "OWN", _("The ALT arranges their own")


# Stages from which the ALT has a branch.
BRANCH_STAGES = (Stage.CONFIRMED, Stage.PRE_DEPARTURE, Stage.ARRIVED)


class Placement(models.Model):
    """One ALT's way from application to arrival. Stage changes go through `placement_move`."""

    Stage = Stage
    HousingStatus = HousingStatus

    alt = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="placement", verbose_name=_("ALT")
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.APPLIED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_placements",
        verbose_name=_("owner (GRM)"),
        help_text=_("The recruiting contact the ALT sees until their branch takes over."),
    )
    branch = models.ForeignKey(
        "contacts.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("target branch"),
        help_text=_("Required to confirm the placement."),
    )
    # The travel dates are the ALT's profile's (contacts.AltProfile): GRM edits them here, through contacts.
    # What the MC is handed on confirmation (see Handover); staff only, never shown to the ALT.
    # Database defaults too: rows written without the ORM (the benchmark's COPY) get them.
    arrival_flight = models.CharField(
        _("arrival flight"),
        max_length=80,
        blank=True,
        default="",
        db_default="",
        help_text=_("Flight number, airport and landing time, e.g. NH 10, Narita, 15:20."),
    )
    housing_status = models.CharField(
        _("housing"),
        max_length=12,
        choices=HousingStatus.choices,
        default=HousingStatus.NOT_STARTED,
        db_default=HousingStatus.NOT_STARTED,
    )
    notes_for_mc = models.TextField(
        _("notes for the MC"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Staff only: what recruiting knows that the branch should (never shown to the ALT)."),
    )
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)
    created = models.DateTimeField(_("created"), default=timezone.now)
    # Every save bumps it (django-concurrency): an admin form loaded at an older version is refused
    # instead of overwriting someone else's change (core.adminsite.StaleEditAdminMixin).
    version = AutoIncVersionField()

    objects = VersionedManager()

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        permissions = [("import_placements", _("Can import and export placements and ALT accounts"))]
        ordering = ["id"]
        # The changelist's stage filter (owner and branch are foreign keys, indexed already).
        indexes = [models.Index(fields=["stage"], name="placement_stage_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage__in=[s.value for s in BRANCH_STAGES]) | Q(branch__isnull=False),
                name="placement_branch_from_confirmed",
                violation_error_message=_("A placement needs a branch from CONFIRMED on."),
            ),
        ]

    def __str__(self):
        return f"P-{self.pk:06d}" if self.pk else "P-new"

    @property
    def is_withdrawn(self):
        return self.stage == Stage.WITHDRAWN

    @property
    def has_arrived(self):
        return self.stage == Stage.ARRIVED

    @property
    def has_branch_stage(self):
        return self.stage in BRANCH_STAGES


class PlacementEvent(models.Model):
    """Every stage change: from, to, who, when, why."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="events", verbose_name=_("placement")
    )
    from_stage = models.CharField(_("from"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=16, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("placement event")
        verbose_name_plural = _("placement events")
        ordering = ["placement", "at", "id"]

    def __str__(self):
        return f"{self.placement} {self.from_stage or '-'} → {self.to_stage}"
