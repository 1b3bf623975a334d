"""System checks of what the layer above the apps wires together."""

from django.core.checks import Error, Warning


def check_checklist_support_categories(app_configs=None, **kwargs) -> list:
    """Every checklist step maps to a support category that exists (`make lint` runs the checks)."""
    from onboarding.models import ChecklistItem
    from support.models import Category

    from .checklist_help import CHECKLIST_SUPPORT_CATEGORIES

    problems = []
    for kind, category in CHECKLIST_SUPPORT_CATEGORIES.items():
        if kind not in ChecklistItem.Kind.values:
            problems.append(
                Error(
                    f"The checklist step {kind!r} in CHECKLIST_SUPPORT_CATEGORIES does not exist.",
                    hint="Use a value of onboarding.ChecklistItem.Kind.",
                    obj="interac_portal.checklist_help",
                    id="interac_portal.E001",
                )
            )
        if category not in Category.values:
            problems.append(
                Error(
                    f"The checklist step {kind!r} maps to {category!r}, which is not a support category.",
                    hint="Use a value of support.models.Category.",
                    obj="interac_portal.checklist_help",
                    id="interac_portal.E002",
                )
            )
    for kind in sorted(set(ChecklistItem.Kind.values) - set(CHECKLIST_SUPPORT_CATEGORIES)):
        problems.append(
            Warning(
                f'The checklist step {kind!r} has no support category: it offers no "Ask for help".',
                obj="interac_portal.checklist_help",
                id="interac_portal.W001",
            )
        )
    return problems
