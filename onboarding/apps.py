from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_COURSE_CONTENT = [
    f"onboarding.{verb}_{model}"
    for model in ("course", "module", "task", "question", "choice")
    for verb in ("view", "add", "change")
]
_PROGRESS_VIEW = [
    "onboarding.view_placement",
    "onboarding.view_placementevent",
    "onboarding.view_enrolment",
    "onboarding.view_taskcompletion",
    "onboarding.view_checklistitem",
    "onboarding.view_handover",
]


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Onboarding")
    # Permissions per staff role (contacts.roles): "app_label.codename".
    # GRM runs the pipeline and the course; branch staff follow their branch's
    # ALTs and may mark a task complete for one of them.
    role_permissions: dict[str, list[str]] = {
        "GRM": [
            *_PROGRESS_VIEW,
            *_COURSE_CONTENT,
            "onboarding.add_placement",
            "onboarding.change_placement",
            "onboarding.add_taskcompletion",
            "onboarding.export_progress",
            "onboarding.import_placements",
        ],
        "SESPS": [*_PROGRESS_VIEW, *_COURSE_CONTENT, "onboarding.add_taskcompletion", "onboarding.export_progress"],
        "MC": [*_PROGRESS_VIEW, "onboarding.add_taskcompletion", "onboarding.export_progress"],
        "SCHEDULER": [*_PROGRESS_VIEW, "onboarding.add_taskcompletion", "onboarding.export_progress"],
        "TRAINER": [*_PROGRESS_VIEW, "onboarding.export_progress"],
    }

    def ready(self):
        from core import versions

        from . import models

        for model in (models.Course, models.Module, models.Task, models.Question, models.Choice):
            versions.register(model, everyone=True)
        # The reminders' marks are no page's: their runs leave every kept page as it is.
        versions.register(models.ChecklistItem, alt="alt_id", unseen_fields=("reminded_at",))
        versions.register(models.Enrolment, alt="alt_id", unseen_fields=("invited_at", "last_nudged_at"))
        versions.register(models.Placement, alt="alt_id")
        versions.register(models.TaskCompletion, alt="enrolment__alt_id")
        versions.register(models.QuizAttempt, alt="enrolment__alt_id")
        versions.register(models.PlacementEvent, alt="placement__alt_id")
        versions.register(models.Handover, alt="placement__alt_id", unseen_fields=("reminded_at",))
