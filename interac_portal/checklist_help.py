"""Which support request each arrival checklist step turns into ("Ask for help").

The checklist is onboarding's and the categories are support's; neither app
knows the other, so the mapping lives here, above both, and a system check
(`interac_portal.checks`) fails when a mapped category is not one of
support's.
"""

from django.urls import reverse

from onboarding.models import ChecklistItem
from support.models import Category

Kind = ChecklistItem.Kind

CHECKLIST_SUPPORT_CATEGORIES: dict[str, str] = {
    Kind.CITY_HALL: Category.CITY_HALL,
    Kind.HEALTH_INSURANCE: Category.MUNICIPAL,
    Kind.PENSION: Category.MUNICIPAL,
    Kind.MY_NUMBER: Category.CITY_HALL,
    Kind.MOBILE_PHONE: Category.MOBILE_PHONE,
    Kind.BANK_ACCOUNT: Category.BANK_ACCOUNT,
    Kind.MEET_MC: Category.OTHER,
    Kind.ORIENTATION: Category.OTHER,
}


def support_category_for(kind: str) -> str | None:
    return CHECKLIST_SUPPORT_CATEGORIES.get(kind)


def help_url(kind: str) -> str | None:
    """Where a step's "Ask for help" button posts (onboarding's checklist asks through `set_help_url`)."""
    if support_category_for(kind) is None:
        return None
    return reverse("checklist_help", args=[kind])
