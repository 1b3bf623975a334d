from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")
    # Permissions per staff role (contacts.roles): "app_label.codename".
    role_permissions: dict[str, list[str]] = {}
