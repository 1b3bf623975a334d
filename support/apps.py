from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_TRIAGE = [
    "support.view_supportrequest",
    "support.change_supportrequest",
    "support.add_supportrequest",  # opening a request for an ALT who phoned
    "support.view_message",
    "support.view_attachment",
    "support.view_cannedreply",
    "support.add_cannedreply",
    "support.change_cannedreply",
]


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Living support")
    # Permissions per staff role (contacts.roles): "app_label.codename".
    # Schedulers triage; MCs too, and they alone read well-being requests.
    role_permissions: dict[str, list[str]] = {
        "SCHEDULER": _TRIAGE,
        "MC": [*_TRIAGE, "support.view_confidential_request"],
    }
