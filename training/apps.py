from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")
    # Permissions per staff role (contacts.roles): "app_label.codename". Sessions are
    # cancelled rather than deleted, so no role deletes them; registrations change only
    # through the ALT's page and the attendance page.
    role_permissions: dict[str, list[str]] = {
        "TRAINER": [
            "training.add_trainingsession",
            "training.change_trainingsession",
            "training.view_trainingsession",
            "training.view_registration",
            "training.view_alttrainingrecord",
        ],
        "SESPS": [
            "training.add_trainingsession",
            "training.change_trainingsession",
            "training.view_trainingsession",
            "training.view_registration",
            "training.view_alttrainingrecord",
            "training.set_orientation_track",
        ],
        "MC": [
            "training.view_trainingsession",
            "training.view_registration",
            "training.view_alttrainingrecord",
        ],
        "SCHEDULER": ["training.view_trainingsession", "training.view_registration"],
    }
