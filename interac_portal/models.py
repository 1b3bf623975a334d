"""The few rows that tie two feature apps together, kept above both of them."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.versions import VersionedManager


class ChecklistHelp(models.Model):
    """An arrived ALT asked for help with a checklist step (onboarding) through a support request (support).

    Neither app knows the other: the ALT presses "Ask for help" on the step,
    this row records it, and the support form opens with the step's category
    and subject filled in. The request it led to is the ALT's first one in
    that category sent within a day of asking (`selectors.checklist_help_requests`);
    once that request is resolved, the dashboard offers to tick the step.
    """

    item = models.OneToOneField(
        "onboarding.ChecklistItem", on_delete=models.CASCADE, related_name="help_asked", verbose_name=_("step")
    )
    category = models.CharField(_("category"), max_length=16)
    subject = models.CharField(_("subject"), max_length=200)
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("checklist step help")
        verbose_name_plural = _("checklist step help")

    def __str__(self):
        return f"checklist help #{self.pk}"
