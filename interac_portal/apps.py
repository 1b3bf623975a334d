from django.apps import AppConfig


def support_visits(*, alt) -> list:
    """The support app's visits of `alt`, as events of the training app's calendar feed."""
    from support.calendar import visit_calendar_events
    from training.calendar import CalendarEntry

    return [CalendarEntry(**event) for event in visit_calendar_events(alt=alt)]


class InteracPortalConfig(AppConfig):
    name = "interac_portal"
    verbose_name = "ALT Portal"
    # Permissions per staff role (contacts.roles): branch staff and GRM see which checklist steps led to a request.
    role_permissions: dict[str, list[str]] = {
        role: ["interac_portal.view_checklisthelp"] for role in ("MC", "SCHEDULER", "GRM", "SESPS")
    }

    def ready(self):
        from core import versions

        from .models import ChecklistHelp

        versions.register(ChecklistHelp, alt="item__alt_id")

        # The flows that cross two feature apps are wired here, in the layer above them: the feature
        # apps never import each other.
        from django.core import checks

        from onboarding.checklist import set_help_url
        from onboarding.handover import register_handover_source
        from training.calendar import register_event_provider

        from .checklist_help import help_url
        from .checks import check_checklist_support_categories
        from .handover import open_questions_with_grm, orientation_sections

        checks.register(check_checklist_support_categories)
        set_help_url(help_url)
        register_handover_source(orientation_sections)
        register_handover_source(open_questions_with_grm)
        # The support app's visits reach the calendar feed that the training app serves.
        register_event_provider(support_visits)
