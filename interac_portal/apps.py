from django.apps import AppConfig


class InteracPortalConfig(AppConfig):
    name = "interac_portal"
    verbose_name = "ALT Portal"
    # Permissions per staff role (contacts.roles): branch staff and GRM see which checklist steps led to a request.
    role_permissions: dict[str, list[str]] = {
        role: ["interac_portal.view_checklisthelp"] for role in ("MC", "SCHEDULER", "GRM", "SESPS")
    }

    def ready(self):
        # The flows that cross two feature apps are wired here, in the layer above them.
        from django.core import checks

        from onboarding.checklist import set_help_url
        from onboarding.handover import register_handover_source

        from .checklist_help import help_url
        from .checks import check_checklist_support_categories
        from .handover import open_questions_with_grm, orientation_sections

        checks.register(check_checklist_support_categories)
        set_help_url(help_url)
        register_handover_source(orientation_sections)
        register_handover_source(open_questions_with_grm)
