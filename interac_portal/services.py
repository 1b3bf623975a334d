"""State changes of the flows that cross two feature apps (wired here, above both)."""

from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from contacts.models import User
from onboarding.checklist import STEPS_BY_KIND
from onboarding.services import ChecklistClosed, checklist_item_get_or_open

from .checklist_help import support_category_for
from .models import ChecklistHelp


class ChecklistHelpRefused(Exception):
    """No such step for this ALT (not arrived, unknown step, or a step with no support category)."""


@transaction.atomic
def checklist_help_ask(*, alt: User, kind: str) -> str:
    """The ALT asks for help with a step of their checklist: remember it, and return the support form's
    address with the step's category and subject filled in (in the language of the page)."""
    category = support_category_for(kind)
    if category is None:
        raise ChecklistHelpRefused(kind)
    try:
        item = checklist_item_get_or_open(alt=alt, kind=kind)
    except ChecklistClosed:
        raise ChecklistHelpRefused(kind) from None
    subject = str(STEPS_BY_KIND[kind].title)[:200]
    ChecklistHelp.objects.update_or_create(
        item=item, defaults={"category": category, "subject": subject, "asked_at": timezone.now()}
    )
    return f"{reverse('support:new')}?{urlencode({'category': category, 'subject': subject})}"
