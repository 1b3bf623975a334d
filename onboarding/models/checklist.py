from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.versions import VersionedManager


class ChecklistItem(models.Model):
    """One step of an ALT's first weeks in Japan. What each step means lives in `onboarding.checklist`."""

    class Kind(models.TextChoices):
        CITY_HALL = "CITY_HALL", _("Register your address at city hall")
        HEALTH_INSURANCE = "HEALTH_INSURANCE", _("Join national health insurance")
        PENSION = "PENSION", _("Join the national pension")
        MY_NUMBER = "MY_NUMBER", _("Apply for your My Number card")
        MOBILE_PHONE = "MOBILE_PHONE", _("Get a mobile phone")
        BANK_ACCOUNT = "BANK_ACCOUNT", _("Open a bank account")
        MEET_MC = "MEET_MC", _("Meet your Managing Consultant")
        ORIENTATION = "ORIENTATION", _("Attend orientation")

    alt = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checklist_items", verbose_name=_("ALT")
    )
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("due"), null=True, blank=True, help_text=_("A number of days after arrival."))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    # The "due in 3 days" email went out for this due date (cleared when the date moves).
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("arrival checklist item")
        verbose_name_plural = _("arrival checklist items")
        ordering = ["alt", "id"]
        constraints = [models.UniqueConstraint(fields=["alt", "kind"], name="checklist_unique_per_alt")]
        indexes = [
            # Steps still open by due date: past due (the MC's list) and due soon (the reminder).
            models.Index(fields=["due_on"], name="checklist_open_due_idx", condition=Q(done_at__isnull=True)),
            # An ALT's open steps in id order: the dashboard's join of the steps to the help asked for them
            # (a merge join on the step's id) reads only that ALT's, not every step in the table.
            models.Index(fields=["alt", "id"], name="checklist_open_by_alt_idx", condition=Q(done_at__isnull=True)),
        ]

    def __str__(self):
        name = self.alt.display_name if self.alt_id else ""
        return f"{self.get_kind_display()} — {name}"

    @property
    def is_past_due(self) -> bool:
        return self.done_at is None and self.due_on is not None and self.due_on < timezone.localdate()
