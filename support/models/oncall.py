"""Urgent help out of hours: each branch's on-call rota, and the call-out of an urgent request."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from contacts.models import Branch
from core.formats import format_datetime
from core.validators import validate_date_in_range
from core.versions import VersionedManager

from .requests import SupportRequest


class OnCallShift(models.Model):
    """Who answers a branch's urgent requests between two instants outside office hours."""

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="on_call_shifts", verbose_name=_("branch"), db_index=False
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="on_call_shifts",
        verbose_name=_("person on call"),
    )
    starts_at = models.DateTimeField(pgettext_lazy("on-call shift", "from"), validators=[validate_date_in_range])
    ends_at = models.DateTimeField(pgettext_lazy("on-call shift", "to"), validators=[validate_date_in_range])
    phone = models.CharField(
        _("phone"), max_length=32, help_text=_("The number to call during this shift (shown to the ALT).")
    )
    # Optimistic locking: every change bumps it; an admin form loaded before a change is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("on-call shift")
        verbose_name_plural = _("on-call rota")
        ordering = ["branch", "starts_at"]
        indexes = [models.Index(fields=["branch", "starts_at"], name="support_oncall_branch_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="oncallshift_ends_after_it_starts",
                violation_error_message=_("A shift must end after it starts."),
            )
        ]

    def __str__(self):
        name = self.person.display_name if self.person_id else ""
        return gettext("%(name)s on call from %(when)s") % {"name": name, "when": format_datetime(self.starts_at)}


class UrgentAlert(models.Model):
    """An urgent request sent out of office hours: who was called out, who acknowledged it, the escalation.

    One per request. `escalated_at` is claimed once (a conditional update):
    the minute-by-minute escalation never escalates twice.
    """

    support_request = models.OneToOneField(
        SupportRequest, on_delete=models.CASCADE, related_name="urgent_alert", verbose_name=_("support request")
    )
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+", verbose_name=_("branch"))
    created = models.DateTimeField(_("alerted"), default=timezone.now)
    shift = models.ForeignKey(
        OnCallShift, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("shift")
    )
    # Empty when nobody was on the rota: the escalation then went out at once.
    on_call = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on call"),
    )
    # Kept as it was at the call-out: the ALT's confirmation page shows it.
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("escalated to"),
    )

    objects = VersionedManager()

    class Meta:
        verbose_name = _("urgent call-out")
        verbose_name_plural = _("urgent call-outs")
        indexes = [
            # The escalation sweep: call-outs nobody acknowledged and not yet escalated.
            models.Index(
                fields=["created"],
                name="support_alert_waiting",
                condition=Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
            )
        ]

    def __str__(self):
        reference = str(self.support_request) if self.support_request_id else ""
        return gettext("Urgent call-out for %(reference)s") % {"reference": reference}

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None
