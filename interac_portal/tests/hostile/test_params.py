"""The admin's lists, add forms and actions with the values the attack pass tried: a page or a 400, never a
500, on SQLite and on PostgreSQL (which compares numbers past a bigint, but refuses them in a write)."""

import pytest
from django.urls import reverse

from core.params import ID_MAX

BEYOND_BIGINT = [str(ID_MAX + 1), "99999999999999999999", str(-ID_MAX - 2)]
NOT_A_NUMBER = ["abc", "1e9", "", " "]


def _list(name):
    return reverse(f"admin:{name}_changelist")


@pytest.mark.parametrize("value", BEYOND_BIGINT + NOT_A_NUMBER[:2])
@pytest.mark.parametrize(
    ("admin_name", "param"), [("support_supportrequest", "assignee"), ("onboarding_placement", "owner")]
)
def test_an_id_no_column_holds_is_a_400(client_for, superuser, grm, admin_name, param, value):
    assert client_for(superuser).get(_list(admin_name), {param: value}).status_code == 400


@pytest.mark.parametrize("value", [str(ID_MAX), "1", "", "me", "none"])
def test_an_id_a_column_holds_is_a_page(client_for, superuser, value):
    assert client_for(superuser).get(_list("support_supportrequest"), {"assignee": value}).status_code == 200


@pytest.mark.parametrize(("value", "status"), [("9999-12", 400), ("0001-01", 400), ("2031-13", 400), ("2031-04", 200)])
def test_a_departure_month_outside_the_range_is_a_400(client_for, grm, applicant, value, status):
    from datetime import date

    from testing.onboarding import PlacementFactory

    PlacementFactory(alt=applicant, owner=grm, departure_date=date(2031, 4, 2))  # the filter shows once a month does
    assert client_for(grm).get(_list("onboarding_placement"), {"departure_month": value}).status_code == status


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"created__year": "99999"}, 400),
        ({"created__year": "9999"}, 400),
        ({"created__year": "99999999999999999999"}, 400),
        ({"created__year": "2026", "created__month": "13"}, 400),
        ({"created__year": "2026", "created__month": "12", "created__day": "32"}, 400),
        ({"created__year": "2026", "created__month": "2"}, 200),
    ],
)
def test_a_date_hierarchy_outside_the_range_is_a_400(client_for, superuser, params, status):
    assert client_for(superuser).get(_list("contacts_notification"), params).status_code == status


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("admin:onboarding_placement_add", {"alt": "99999999999999999999", "departure_date": "0001-01-01"}),
        ("admin:contacts_altprofile_add", {"user": "abc", "invited_at": "9999-12-31"}),
        ("admin:training_trainingsession_add", {"start": "abc", "branch": "1,2", "capacity": "-1"}),
        ("admin:auth_group_add", {"permissions": "1,99999999999999999999,abc"}),
    ],
)
def test_odd_values_prefilling_an_add_form_leave_those_fields_empty(client_for, superuser, url, params):
    response = client_for(superuser).get(reverse(url), params)
    assert response.status_code == 200
    form = response.context_data["adminform"].form
    assert all(not form.initial.get(name) or name == "capacity" for name in params if name != "permissions")


@pytest.mark.parametrize("value", BEYOND_BIGINT + ["abc", "1,2"])
def test_an_action_on_an_id_no_column_holds_is_a_400(client_for, superuser, value):
    data = {"action": "mark_in_progress", "_selected_action": [value], "index": "0"}
    assert client_for(superuser).post(_list("support_supportrequest"), data).status_code == 400
