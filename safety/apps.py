from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_CHECKS = ["safety.add_safetycheck", "safety.change_safetycheck", "safety.view_safetycheck"]


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety and well-being")
    # Permissions per staff role (contacts.roles). SESPS start checks for any scope, MCs and
    # schedulers for their own branch (SafetyCheckAdmin); well-being answers are seen only
    # as branch averages (view_wellbeingcheckin opens that page, never a row).
    role_permissions: dict[str, list[str]] = {
        "SESPS": [*_CHECKS, "safety.view_wellbeingcheckin"],
        "MC": [*_CHECKS, "safety.view_wellbeingcheckin"],
        "SCHEDULER": [*_CHECKS, "safety.view_wellbeingcheckin"],
    }

    def ready(self):
        from core import versions

        from .models import SafetyAnswer, SafetyAnswerChange, SafetyCheck, WellbeingCheckin

        versions.register(SafetyCheck, everyone=True)
        versions.register(SafetyAnswer, alt="alt_id")
        versions.register(SafetyAnswerChange, alt="answer__alt_id")
        versions.register(WellbeingCheckin, alt="alt_id")
