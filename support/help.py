"""What to have ready for each kind of request: shown under the Category field."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Category

WHAT_TO_HAVE_READY = {
    Category.CITY_HALL: gettext_lazy(
        "Have ready: your residence card, your passport and your address in Japan (lease or housing letter)."
    ),
    Category.MOBILE_PHONE: gettext_lazy(
        "Have ready: your residence card with your registered address, your passport and a bank or credit card."
    ),
    Category.BANK_ACCOUNT: gettext_lazy(
        "Have ready: your residence card with your registered address, your passport, your Japanese phone number "
        "and a personal seal (hanko) if you have one."
    ),
    Category.DOCTOR: gettext_lazy(
        "Have ready: your health insurance card, your residence card, your symptoms and since when, and any "
        "medicine you take."
    ),
    Category.HOUSING: gettext_lazy(
        "Have ready: your lease or housing contract, photos of the problem and your landlord's or agent's contact "
        "details."
    ),
    Category.MUNICIPAL: gettext_lazy(
        "Have ready: the form or letter you received (a photo is fine), your residence card and your My Number "
        "card or notice."
    ),
    Category.VISA: gettext_lazy(
        "Have ready: your passport, and the letters you received about your certificate of eligibility or visa."
    ),
    Category.DOCUMENTS: gettext_lazy(
        "Have ready: the name of the document you were asked for, and a photo or scan of it if you have one."
    ),
    Category.FLIGHTS: gettext_lazy("Have ready: your flight details (date, airline, flight number) and your airport."),
    Category.CONTRACT_PAY: gettext_lazy(
        "Have ready: your offer letter or contract, and the clause or amount you are asking about."
    ),
    Category.OTHER: gettext_lazy("Have ready: anything that helps us understand: dates, documents, photos."),
}


def category_help(*, categories=None) -> list[dict]:
    """One line per category offered (default: all), in the current language."""
    lines = []
    offered = set(categories) if categories is not None else set(Category.values)
    for value, label in Category.choices:
        if value not in offered:
            continue
        if value == Category.WELLBEING:
            text = _(
                "Nothing to prepare. Only your Managing Consultant and authorised branch staff will read this "
                "request. To talk to someone now, call the free counselling line %(phone)s (%(hours)s, Japan time); "
                "it is confidential and independent of your branch."
            ) % {"phone": settings.WELLBEING_LINE["phone"], "hours": settings.WELLBEING_LINE["hours"]}
        else:
            text = str(WHAT_TO_HAVE_READY[value])
        lines.append({"value": value, "label": label, "text": text, "confidential": value == Category.WELLBEING})
    return lines
