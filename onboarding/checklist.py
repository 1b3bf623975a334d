"""The arrival checklist: what each step is, what to bring and when it is due.
Rows in ChecklistItem only record when each step is due and when it was done.

Which support request a step turns into is not onboarding's to know: the layer
above (interac_portal) says where "Ask for help" goes, through `set_help_url`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ChecklistItem

Kind = ChecklistItem.Kind

# The email that a step is due goes out this many days before.
REMIND_DAYS_BEFORE = 3


@dataclass(frozen=True)
class Step:
    kind: str
    title: Promise
    why: Promise
    bring: tuple
    due_days: int  # after arrival


STEPS = (
    Step(
        Kind.MEET_MC,
        Kind.MEET_MC.label,
        _("Your Managing Consultant is your first contact for work and life in Japan. Meet them in your first week."),
        (_("Your questions"), _("Your contract and school schedule, if you have them")),
        7,
    ),
    Step(
        Kind.CITY_HALL,
        Kind.CITY_HALL.label,
        _(
            "Within 14 days of moving in, register your address at your city or ward office. You need it for almost "
            "everything else on this list."
        ),
        (_("Residence card"), _("Passport"), _("Your address in Japan, written down")),
        14,
    ),
    Step(
        Kind.HEALTH_INSURANCE,
        Kind.HEALTH_INSURANCE.label,
        # xgettext:no-python-format
        _("Usually done at the same city hall visit. Your health insurance card lets you pay 30% of medical costs."),
        (_("Residence card"), _("Passport"), _("Certificate of residence, if the counter asks for it")),
        14,
    ),
    Step(
        Kind.PENSION,
        Kind.PENSION.label,
        _("Also at the same city hall visit: everyone living in Japan from 20 to 59 joins the national pension."),
        (_("Residence card"), _("Passport")),
        14,
    ),
    Step(
        Kind.MOBILE_PHONE,
        Kind.MOBILE_PHONE.label,
        _("Schools, your branch and your bank will want a Japanese phone number."),
        (_("Residence card with your registered address"), _("Passport"), _("A credit card or bank card")),
        21,
    ),
    Step(
        Kind.BANK_ACCOUNT,
        Kind.BANK_ACCOUNT.label,
        _("Your salary is paid into a Japanese bank account."),
        (
            _("Residence card with your registered address"),
            _("Passport"),
            _("Your Japanese phone number"),
            _("Your employment details from your branch"),
        ),
        28,
    ),
    Step(
        Kind.ORIENTATION,
        Kind.ORIENTATION.label,
        _("Initial orientation prepares you for your first classes. Sign up on the Training page."),
        (_("Notebook and pen"), _("Your pre-departure course certificate")),
        30,
    ),
    Step(
        Kind.MY_NUMBER,
        Kind.MY_NUMBER.label,
        _(
            "Your My Number arrives by post after you register your address. Apply for the card with the form that "
            "comes with it: the card takes about a month."
        ),
        (_("The My Number letter and its application form"), _("A passport-size photo")),
        60,
    ),
)

STEPS_BY_KIND = {step.kind: step for step in STEPS}


# --- "Ask for help": filled in by the layer above ----------------------------------------

_help_url: Callable[[str], str | None] | None = None


def set_help_url(function: Callable[[str], str | None] | None) -> None:
    """Say where a step's "Ask for help" button posts (a function of the step's kind; None: no button)."""
    global _help_url
    _help_url = function


def help_url_for(kind: str) -> str | None:
    return _help_url(kind) if _help_url is not None else None
