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

    def ready(self):
        from core import versions

        from .models import CalendarFeed, Registration, TrainingSession

        # A session's places left show on every ALT's page: each registration renews "training".
        versions.register(TrainingSession, also=("training",))
        # The reminders' marks are no page's: their runs leave every kept page as it is.
        versions.register(
            Registration, alt="alt_id", also=("training",), unseen_fields=("reminded_7d_for", "reminded_1d_for")
        )
        versions.register(CalendarFeed, alt="alt_id")
