"""Cards an ALT shows at a counter: what they want to do and what they bring, in Japanese and English."""

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.versions import VersionedManager


class CounterCard(models.Model):
    class Place(models.TextChoices):
        CITY_HALL = "city-hall", _("City hall")
        BANK = "bank", _("Bank")
        PHONE_SHOP = "phone-shop", _("Phone shop")
        DOCTOR = "doctor", _("Doctor")

    place = models.SlugField(_("place"), max_length=32, choices=Place.choices, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_ja = models.CharField(_("title (Japanese)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=100)
    purpose_ja = models.TextField(_("what I want to do (Japanese)"), max_length=2_000)
    purpose_en = models.TextField(_("what I want to do (English)"), max_length=2_000)
    bring_ja = models.TextField(_("what I bring (Japanese)"), max_length=2_000, help_text=_("One item per line."))
    bring_en = models.TextField(_("what I bring (English)"), max_length=2_000, help_text=_("One item per line."))
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("counter card")
        verbose_name_plural = _("counter cards")
        ordering = ["order", "place"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("support:card", args=[self.place])

    @property
    def title(self) -> str:
        return self.title_ja if (get_language() or "en").startswith("ja") else self.title_en

    @property
    def bring_ja_lines(self) -> list[str]:
        return [line.strip() for line in self.bring_ja.splitlines() if line.strip()]

    @property
    def bring_en_lines(self) -> list[str]:
        return [line.strip() for line in self.bring_en.splitlines() if line.strip()]
