"""Dates far from today: every date field people fill in keeps to one range, and a date saved out of it
before (or written another way) leaves every page working."""

from datetime import date

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from contacts.models import AltProfile
from core.dates import DATE_MAX, DATE_MIN, add_days, clamp
from core.validators import validate_date_in_range
from onboarding.models import Placement, Stage
from testing.onboarding import EnrolmentFactory, PlacementFactory, make_course
from testing.training import TrainingSessionFactory


def _date_fields_of_admin_forms(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    for model_admin in admin.site._registry.values():
        if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
            continue  # a read-only admin: nobody types a date there
        forms = [model_admin.get_form(request, None)]
        forms += [inline.get_formset(request, None).form for inline in model_admin.get_inline_instances(request)]
        for form in forms:
            for name in form.base_fields:
                try:
                    field = form._meta.model._meta.get_field(name)
                except Exception:  # a form-only field
                    continue
                if isinstance(field, models.DateField):  # DateTimeField too
                    yield field


def test_every_date_people_fill_in_the_admin_keeps_to_the_range(superuser):
    fields = list(_date_fields_of_admin_forms(superuser))
    assert len(fields) >= 8
    unchecked = [str(f) for f in fields if validate_date_in_range not in f.validators]
    assert not unchecked, f"date fields without core.validators.validate_date_in_range: {unchecked}"


@pytest.mark.parametrize("value", [date(1, 1, 1), date(1949, 12, 31), date(2101, 1, 1), date(9999, 12, 31)])
def test_the_range_refuses_far_dates_with_a_message(value):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Enter a date between"):
        validate_date_in_range(value)
    validate_date_in_range(DATE_MIN)
    validate_date_in_range(DATE_MAX)


def test_arithmetic_on_a_stored_date_cannot_overflow():
    assert add_days(date(1, 1, 1), -1) == date(1949, 12, 31)
    assert add_days(date(9999, 12, 31), 1) == date(2101, 1, 1)
    assert clamp(date(2026, 5, 1)) == date(2026, 5, 1)


@pytest.mark.parametrize("far", [date(1, 1, 1), date(9999, 12, 31)])
def test_an_alt_with_a_far_travel_date_saved_earlier_still_has_working_pages(
    far, client_for, grm, tokyo, alt_tokyo, applicant
):
    # Saved before the range was enforced (or by an UPDATE): bypasses every validator.
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo, owner=grm)
    AltProfile.objects.filter(user=alt_tokyo).update(departure_date=far, arrival_date=far)
    EnrolmentFactory(alt=alt_tokyo, course=make_course(tasks_per_module=(1,), with_quiz=False))
    TrainingSessionFactory(branch=tokyo)
    client = client_for(alt_tokyo)
    for name in ["dashboard", "onboarding:index", "training:index", "contacts:support_team", "support:list"]:
        assert client.get(reverse(name)).status_code == 200, name
    staff = client_for(grm)
    placement = Placement.objects.get(alt=alt_tokyo)
    for url in [
        reverse("admin:onboarding_placement_changelist"),
        reverse("admin:onboarding_placement_change", args=[placement.pk]),
        reverse("admin:contacts_altprofile_change", args=[alt_tokyo.alt_profile.pk]),
        reverse("admin:onboarding_placement_export"),
    ]:
        assert staff.get(url).status_code == 200, url


def test_a_far_date_is_refused_on_the_admin_form_with_a_message(client_for, grm, applicant):
    from testing.forms import change_form_data

    placement = PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, owner=grm)
    url = reverse("admin:onboarding_placement_change", args=[placement.pk])
    client = client_for(grm)
    data = change_form_data(client, url, "placement_form")
    response = client.post(url, {**data, "departure_date": "0001-01-01"})
    assert response.status_code == 200
    assert "Enter a date between" in response.content.decode()
    assert AltProfile.objects.get(user=applicant).departure_date != date(1, 1, 1)
