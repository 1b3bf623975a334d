from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Living support")
    # Permissions per staff role (contacts.roles): "app_label.codename".
    role_permissions: dict[str, list[str]] = {}
