"""Going along: a member of staff goes with the ALT to the city hall, the bank, the doctor."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.models import Branch
from core.formats import format_datetime
from core.validators import validate_date_in_range
from core.versions import VersionedManager

from .requests import SupportRequest


class Visit(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "PROPOSED", _("Waiting for the ALT to confirm")
        CONFIRMED = "CONFIRMED", _("Confirmed by the ALT")
        NEW_TIME_ASKED = "NEW_TIME_ASKED", _("The ALT asked for another time")
        CANCELLED = "CANCELLED", _("Cancelled")

    ACTIVE = (Status.PROPOSED, Status.CONFIRMED, Status.NEW_TIME_ASKED)

    support_request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="visits", verbose_name=_("support request")
    )
    # The request's branch, kept here so that the admin scopes and lists a branch's visits by day from one index.
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="support_visits", verbose_name=_("branch"), db_index=False
    )
    starts_at = models.DateTimeField(_("starts"), validators=[validate_date_in_range])
    ends_at = models.DateTimeField(_("ends"), validators=[validate_date_in_range])
    meeting_point = models.CharField(_("meeting point"), max_length=255)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_visits", verbose_name=_("who goes")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    alt_note = models.TextField(_("the ALT's note"), max_length=2_000, blank=True)
    alt_answered_at = models.DateTimeField(_("the ALT answered"), null=True, blank=True)
    # Optimistic locking: every change bumps it; an admin form loaded before a change is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The start time the ALT was last reminded of (the day before): a moved visit is reminded again.
    reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("scheduled by"),
    )

    objects = VersionedManager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["branch", "starts_at"], name="support_visit_branch_start"),
            models.Index(fields=["staff", "starts_at"], name="support_visit_staff_start"),
            # The day-before reminders.
            models.Index(fields=["starts_at"], name="support_visit_active_start", condition=~Q(status="CANCELLED")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="visit_ends_after_it_starts",
                violation_error_message=_("A visit must end after it starts."),
            )
        ]

    def __str__(self):
        name = self.staff.display_name if self.staff_id else ""
        return gettext("Visit with %(name)s, %(when)s") % {"name": name, "when": format_datetime(self.starts_at)}

    def get_absolute_url(self):
        return reverse("support:detail", args=[self.support_request_id]) + f"#visit-{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_upcoming(self) -> bool:
        return self.is_active and self.ends_at > timezone.now()
