"""Replies that came by email: one row per inbound message, so that a message delivered twice posts once."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .requests import Message, SupportRequest


class InboundEmail(models.Model):
    """An email that reached the reply address, and what became of it.

    `key` is a digest of the Message-ID (of the content when there is none):
    unique, so the provider's retry or a Maildir read twice finds this row.
    """

    class Outcome(models.TextChoices):
        POSTED = "POSTED", _("Posted to the thread")
        BOUNCED = "BOUNCED", _("Refused with a reply to the sender")
        IGNORED = "IGNORED", _("Ignored (an automatic reply or our own mail)")

    key = models.CharField(max_length=64, unique=True, editable=False)
    message_id_header = models.CharField(_("Message-ID"), max_length=255, blank=True)
    from_email = models.CharField(_("from"), max_length=254, blank=True)
    channel = models.CharField(_("received through"), max_length=16)
    received = models.DateTimeField(_("received"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    support_request = models.ForeignKey(
        SupportRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("support request"),
    )
    posted = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("posted message")
    )

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received"]
        # How many bounces an address got today (support.services.inbound).
        indexes = [models.Index(fields=["from_email", "received"], name="support_inbound_from_received")]

    def __str__(self):
        return f"Inbound email #{self.pk}"
