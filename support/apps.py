from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Opening a request and working on it: everyone a request may be handed on to.
_HANDLE = [
    "support.view_supportrequest",
    "support.change_supportrequest",
    "support.view_message",
    "support.view_attachment",
]
_TRIAGE = [
    *_HANDLE,
    "support.add_supportrequest",  # opening a request for an ALT who phoned
    "support.view_cannedreply",
    "support.add_cannedreply",
    "support.change_cannedreply",
]
# A branch's desk: the on-call rota, visits and the reports.
_BRANCH_DESK = [
    "support.view_oncallshift",
    "support.add_oncallshift",
    "support.change_oncallshift",
    "support.delete_oncallshift",
    "support.view_visit",
    "support.add_visit",
    "support.change_visit",
    "support.view_support_report",
]
# The counter cards are national content, as the e-learning is: national staff edit them.
_CARDS = ["support.view_countercard", "support.change_countercard"]


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Living support")
    # Permissions per staff role (contacts.roles): "app_label.codename".
    # Schedulers and MCs work the branch's queue, and MCs alone read well-being requests;
    # GRM works the requests sent before a branch is confirmed; trainers and SESPS work what is
    # handed on to them (SESPS also the urgent ones, as the national escalation point).
    # Which rows each sees is decided by support.selectors (the desks), not by these.
    role_permissions: dict[str, list[str]] = {
        "SCHEDULER": [*_TRIAGE, *_BRANCH_DESK],
        "MC": [*_TRIAGE, *_BRANCH_DESK, "support.view_confidential_request"],
        "TRAINER": [*_HANDLE, "support.view_visit"],
        "SESPS": [*_HANDLE, *_CARDS, "support.view_oncallshift", "support.view_visit", "support.view_support_report"],
        "GRM": [
            *_HANDLE,
            "support.view_cannedreply",
            "support.add_cannedreply",
            "support.change_cannedreply",
            "support.view_support_report",
            *_CARDS,
        ],
    }

    def ready(self):
        from contacts.people_cache import register_navigation_part

        from .nav import new_replies_counted, new_replies_for_navigation

        # Beside "Support requests" on every ALT page: kept and read with each page's content.
        register_navigation_part("new-replies", new_replies_for_navigation, new_replies_counted)

        from core import versions

        from . import models

        versions.register(models.SupportRequest, alt="alt_id")
        for model in (models.Message, models.Attachment, models.Visit, models.UrgentAlert):
            versions.register(model, alt="support_request__alt_id")
        versions.register(models.CounterCard, everyone=True)
        versions.register(models.OnCallShift, everyone=True)
        # Staff's alone: the history, the reference counter, canned replies and the inbound emails (a
        # reply by email is posted as a Message).
        versions.unseen(
            models.SupportRequest.history.model, models.ReferenceCounter, models.CannedReply, models.InboundEmail
        )

        from anymail.signals import inbound

        from .inbound.webhook import inbound_received

        inbound.connect(inbound_received, dispatch_uid="support.inbound_received")
