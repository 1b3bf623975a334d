"""Validators shared by the models, forms and imports of every app."""

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .dates import DATE_MAX, DATE_MIN, in_range


def date_range_message() -> str:
    return _("Enter a date between %(min)s and %(max)s.") % {
        "min": date_format(DATE_MIN, "DATE_FORMAT"),
        "max": date_format(DATE_MAX, "DATE_FORMAT"),
    }


def validate_date_in_range(value) -> None:
    """A date (or a date and time) between DATE_MIN and DATE_MAX: on every date field people fill in."""
    if value is not None and not in_range(value):
        raise ValidationError(date_range_message(), code="date_out_of_range")
