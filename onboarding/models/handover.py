from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.versions import VersionedManager

from .placement import Placement, PlacementEvent


class Handover(models.Model):
    """GRM hands a newly confirmed ALT to their Managing Consultant: one per confirmation.

    The MC acknowledges it in the admin. What it hands over (arrival, housing,
    course, orientation, open questions, notes) is read live from the placement
    and the other apps (`onboarding.handover`); the email of the day keeps a copy.
    """

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="handovers", verbose_name=_("placement")
    )
    event = models.OneToOneField(
        PlacementEvent, on_delete=models.CASCADE, related_name="handover", verbose_name=_("confirmation")
    )
    branch = models.ForeignKey("contacts.Branch", on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    mc = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handovers_received",
        verbose_name=_("Managing Consultant"),
    )
    grm_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handovers_given",
        verbose_name=_("from (GRM)"),
    )
    created = models.DateTimeField(_("handed over"), default=timezone.now)
    due_at = models.DateTimeField(_("acknowledge by"), help_text=_("Two working days after the handover."))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    # The placement went back to PLACEMENT or was withdrawn before the MC acknowledged it.
    cancelled_at = models.DateTimeField(_("called off"), null=True, blank=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("handover to the MC")
        verbose_name_plural = _("handovers to the MC")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["branch", "-created"], name="handover_branch_idx"),
            models.Index(fields=["mc", "-created"], name="handover_mc_idx"),
            # The daily reminder and the "waiting" list.
            models.Index(
                fields=["due_at"],
                name="handover_waiting_idx",
                condition=Q(acknowledged_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"H-{self.pk:06d}" if self.pk else "H-new"

    @property
    def is_waiting(self) -> bool:
        return self.acknowledged_at is None and self.cancelled_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_waiting and self.due_at < timezone.now()
