"""The arrival checklist: what each step is, what to bring, and which kind of
support request it turns into. Rows in ChecklistItem only record what is done."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ChecklistItem

Kind = ChecklistItem.Kind


@dataclass(frozen=True)
class Step:
    kind: str
    title: Promise
    why: Promise
    bring: tuple
    support_category: str  # a category of the support app's request form


STEPS = (
    Step(
        Kind.CITY_HALL,
        Kind.CITY_HALL.label,
        _(
            "Within 14 days of moving in, register your address at your city or ward office. You need it for almost "
            "everything else on this list."
        ),
        (_("Residence card"), _("Passport"), _("Your address in Japan, written down")),
        "CITY_HALL",
    ),
    Step(
        Kind.HEALTH_INSURANCE,
        Kind.HEALTH_INSURANCE.label,
        _("Usually done at the same city hall visit. Your health insurance card lets you pay 30% of medical costs."),
        (_("Residence card"), _("Passport"), _("Certificate of residence, if the counter asks for it")),
        "MUNICIPAL",
    ),
    Step(
        Kind.MOBILE_PHONE,
        Kind.MOBILE_PHONE.label,
        _("Schools, your branch and your bank will want a Japanese phone number."),
        (_("Residence card with your registered address"), _("Passport"), _("A credit card or bank card")),
        "MOBILE_PHONE",
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
        "BANK_ACCOUNT",
    ),
    Step(
        Kind.MEET_MC,
        Kind.MEET_MC.label,
        _("Your Managing Consultant is your first contact for work and life in Japan. Meet them in your first week."),
        (_("Your questions"), _("Your contract and school schedule, if you have them")),
        "OTHER",
    ),
    Step(
        Kind.ORIENTATION,
        Kind.ORIENTATION.label,
        _("Initial orientation prepares you for your first classes. Sign up on the Training page."),
        (_("Notebook and pen"), _("Your pre-departure course certificate")),
        "OTHER",
    ),
)

STEPS_BY_KIND = {step.kind: step for step in STEPS}
