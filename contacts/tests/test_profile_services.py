"""The one door through which other apps change an ALT's facts (AltProfile, User)."""

import pytest

from contacts.models import AltProfile, OrientationTrack, User
from contacts.services import alt_profile_update, alt_profiles_set_orientation_track, user_update
from testing.contacts import make_alt


def test_the_profile_changes_through_the_service(alt_tokyo, osaka, mc_osaka):
    assert alt_profile_update(user_id=alt_tokyo.pk, branch=osaka, managing_consultant=mc_osaka, country="Ireland") == 1
    profile = AltProfile.objects.get(user=alt_tokyo)
    assert (profile.branch, profile.managing_consultant, profile.country) == (osaka, mc_osaka, "Ireland")


def test_the_service_refuses_what_is_not_a_fact_of_the_profile(alt_tokyo):
    with pytest.raises(TypeError):
        alt_profile_update(user_id=alt_tokyo.pk, invited_at=None)
    with pytest.raises(ValueError):
        alt_profile_update(user_id=alt_tokyo.pk, orientation_track="EXPRESS")
    assert AltProfile.objects.get(user=alt_tokyo).orientation_track == ""


def test_someone_who_is_not_an_alt_has_no_profile_to_change(staff_tokyo):
    assert alt_profile_update(user_id=staff_tokyo.pk, country="Japan") == 0
    assert not AltProfile.objects.filter(user=staff_tokyo).exists()


def test_many_alts_are_put_on_a_track_at_once(alt_tokyo, tokyo):
    other = make_alt(branch=tokyo, email="alt2.tokyo@example.com", orientation_track=OrientationTrack.ALTERNATE)
    changed = alt_profiles_set_orientation_track(user_ids=[alt_tokyo.pk, other.pk], track=OrientationTrack.ALTERNATE)
    assert changed == 1  # the other one was on it already
    assert set(AltProfile.objects.values_list("orientation_track", flat=True)) == {"ALTERNATE"}
    with pytest.raises(ValueError):
        alt_profiles_set_orientation_track(user_ids=[alt_tokyo.pk], track="NOPE")


def test_a_name_changes_through_the_service_and_nothing_else_does(alt_tokyo):
    user_update(user_id=alt_tokyo.pk, first_name="Emily", phone="080-1111-2222")
    alt_tokyo.refresh_from_db()
    assert (alt_tokyo.first_name, alt_tokyo.phone) == ("Emily", "080-1111-2222")
    with pytest.raises(TypeError):
        user_update(user_id=alt_tokyo.pk, is_superuser=True)
    assert not User.objects.get(pk=alt_tokyo.pk).is_superuser
