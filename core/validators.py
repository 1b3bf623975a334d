"""Validators shared by the models, forms and imports of every app."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.formats import format_date

from .dates import DATE_MAX, DATE_MIN, in_range


def date_range_message() -> str:
    return _("Enter a date between %(min)s and %(max)s.") % {
        "min": format_date(DATE_MIN),
        "max": format_date(DATE_MAX),
    }


def validate_date_in_range(value) -> None:
    """A date (or a date and time) between DATE_MIN and DATE_MAX: on every date field people fill in."""
    if value is not None and not in_range(value):
        raise ValidationError(date_range_message(), code="date_out_of_range")
