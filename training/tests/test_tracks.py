"""Orientation tracks: ALTs are offered the initial orientation of their own track (kept on their
profile by GRM or SESPS); staff may still register anyone anywhere; SESPS sees fill by track."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import AltProfile, Notification, OrientationTrack
from testing.contacts import make_alt
from testing.training import RegistrationFactory, TrainingSessionFactory
from training.models import Registration, TrainingSession
from training.selectors import orientation_fill_by_track
from training.services import TrainingError, registration_create, registration_create_by_staff, training_session_invite

from .test_admin import _change_url, _form

Track = TrainingSession.Track
RECORDS = reverse("admin:training_alttrainingrecord_changelist")
SESSIONS = reverse("admin:training_trainingsession_changelist")


@pytest.fixture
def alternate(sesps):
    start = (timezone.now() + timedelta(days=12)).replace(microsecond=0)
    return TrainingSessionFactory(
        kind=TrainingSession.Kind.INITIAL_ORIENTATION,
        track=Track.ALTERNATE,
        branch=None,
        trainer=sesps,
        title="Alternate orientation",
        start=start,
        end=start + timedelta(hours=7),
        capacity=2,
    )


def on_track(alt, track):
    AltProfile.objects.filter(user=alt).update(orientation_track=track)
    return AltProfile.objects.get(user=alt)


def test_an_alt_is_offered_the_orientation_of_their_track_only(
    client_for, alt_tokyo, orientation, alternate, tokyo_session
):
    on_track(alt_tokyo, Track.ALTERNATE)
    page = client_for(alt_tokyo).get(reverse("training:index")).content.decode()
    assert "Alternate orientation" in page
    assert "Flagship orientation" not in page
    assert "Tokyo classroom skills" in page  # branch training has no track


def test_an_alt_without_a_track_yet_is_offered_both(client_for, alt_tokyo, orientation, alternate):
    page = client_for(alt_tokyo).get(reverse("training:index")).content.decode()
    assert "Alternate orientation" in page and "Flagship orientation" in page


def test_registering_for_the_other_track_is_refused_and_saves_nothing(client_for, alt_tokyo, orientation, alternate):
    profile = on_track(alt_tokyo, Track.ALTERNATE)
    response = client_for(alt_tokyo).post(reverse("training:register", args=[orientation.pk]))
    assert response.status_code == 404
    with pytest.raises(TrainingError):
        registration_create(profile=profile, session_id=orientation.pk)
    assert not Registration.objects.exists()
    assert registration_create(profile=profile, session_id=alternate.pk).status == Registration.Status.REGISTERED


def test_a_required_orientation_invites_the_alts_of_its_track_and_those_without_one(
    alt_tokyo, alt_osaka, tokyo, orientation
):
    undecided = make_alt(branch=tokyo, email="undecided@example.com")
    on_track(alt_tokyo, Track.FLAGSHIP)
    on_track(alt_osaka, Track.ALTERNATE)
    TrainingSession.objects.filter(pk=orientation.pk).update(required=True)
    assert training_session_invite(session_id=orientation.pk) == 2
    invited = set(Registration.objects.values_list("alt__email", flat=True))
    assert invited == {"alt.tokyo@example.com", undecided.email}


def test_staff_register_an_alt_at_the_other_tracks_session(
    alt_tokyo, sesps, orientation, mailoutbox, django_capture_on_commit_callbacks
):
    on_track(alt_tokyo, Track.ALTERNATE)
    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_create_by_staff(session_id=orientation.pk, alt=alt_tokyo, by=sesps)
    assert registration.status == Registration.Status.REGISTERED
    (email,) = mailoutbox
    assert email.to == ["alt.tokyo@example.com"]
    assert "has registered you" in email.body and "Flagship orientation" in email.body
    # Twice: the same registration, no second email.
    assert registration_create_by_staff(session_id=orientation.pk, alt=alt_tokyo, by=sesps).pk == registration.pk
    assert Notification.objects.filter(kind="training.registered_by_staff").count() == 1


def test_staff_registration_waitlists_when_full_and_refuses_a_cancelled_session(
    alt_tokyo, alt_osaka, applicant, sesps, alternate
):
    for alt in (make_alt(email="a@example.com"), make_alt(email="b@example.com")):
        RegistrationFactory(session=alternate, alt=alt)
    assert registration_create_by_staff(session_id=alternate.pk, alt=alt_tokyo, by=sesps).is_waitlisted
    TrainingSession.objects.filter(pk=alternate.pk).update(status=TrainingSession.Status.CANCELLED)
    with pytest.raises(TrainingError):
        registration_create_by_staff(session_id=alternate.pk, alt=alt_osaka, by=sesps)
    with pytest.raises(TrainingError):
        registration_create_by_staff(session_id=alternate.pk, alt=sesps, by=sesps)


def test_sesps_registers_an_alt_from_the_session_page(client_for, sesps, alt_tokyo, orientation):
    on_track(alt_tokyo, Track.ALTERNATE)
    response = client_for(sesps).post(
        _change_url(orientation), _form(orientation, register_alt="ALT.Tokyo@example.com")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Registration.objects.get(session=orientation).alt == alt_tokyo


def test_an_unknown_email_is_a_form_error_and_nothing_is_saved(client_for, sesps, orientation):
    response = client_for(sesps).post(
        _change_url(orientation), _form(orientation, register_alt="nobody@example.com", title="Changed")
    )
    assert response.status_code == 200
    assert "No active ALT of your branches has this email address." in response.content.decode()
    assert TrainingSession.objects.get(pk=orientation.pk).title == "Flagship orientation"
    assert not Registration.objects.exists()


def test_a_branch_trainer_registers_only_their_branchs_alts(
    client_for, trainer_tokyo, tokyo_session, alt_tokyo, alt_osaka
):
    client = client_for(trainer_tokyo)
    refused = client.post(_change_url(tokyo_session), _form(tokyo_session, register_alt=alt_osaka.email))
    assert refused.status_code == 200 and not Registration.objects.exists()
    accepted = client.post(_change_url(tokyo_session), _form(tokyo_session, register_alt=alt_tokyo.email))
    assert accepted.status_code == 302
    assert Registration.objects.get().alt == alt_tokyo


def test_sesps_puts_alts_on_a_track_from_the_training_records(client_for, sesps, alt_tokyo, alt_osaka):
    client = client_for(sesps)
    response = client.post(
        RECORDS, {"action": "set_track_alternate", "_selected_action": [alt_tokyo.alt_profile.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 ALT moved to the Alternate track." in response.content.decode()
    assert AltProfile.objects.get(user=alt_tokyo).orientation_track == OrientationTrack.ALTERNATE
    assert AltProfile.objects.get(user=alt_osaka).orientation_track == ""


def test_an_mc_cannot_change_tracks(client_for, mc_tokyo, alt_tokyo):
    client = client_for(mc_tokyo)
    assert "set_track_alternate" not in client.get(RECORDS).content.decode()
    client.post(RECORDS, {"action": "set_track_alternate", "_selected_action": [alt_tokyo.alt_profile.pk]})
    assert AltProfile.objects.get(user=alt_tokyo).orientation_track == ""


def test_fill_by_track(alt_tokyo, alt_osaka, applicant, tokyo, orientation, alternate):
    on_track(alt_tokyo, Track.FLAGSHIP)
    on_track(alt_osaka, Track.FLAGSHIP)
    on_track(make_alt(branch=tokyo, email="c@example.com"), Track.ALTERNATE)
    on_track(applicant, Track.ALTERNATE)  # no branch yet: not counted
    RegistrationFactory(session=orientation, alt=alt_tokyo)
    fills = {fill.track: fill for fill in orientation_fill_by_track()}
    flagship, alternate_fill = fills["FLAGSHIP"], fills["ALTERNATE"]
    assert (flagship.sessions, flagship.capacity, flagship.taken, flagship.free) == (1, 40, 1, 39)
    assert (flagship.alts, flagship.alts_unregistered) == (2, 1)
    assert (alternate_fill.sessions, alternate_fill.taken, alternate_fill.alts, alternate_fill.alts_unregistered) == (
        1,
        0,
        1,
        1,
    )


def test_sesps_sees_fill_by_track_above_the_sessions_and_branch_staff_do_not(
    client_for, sesps, trainer_tokyo, alt_tokyo, orientation, alternate
):
    on_track(alt_tokyo, Track.FLAGSHIP)
    RegistrationFactory(session=orientation, alt=alt_tokyo)
    page = client_for(sesps).get(SESSIONS).content.decode()
    flagship_row = page.split('data-track="FLAGSHIP"')[1].split("</tr>")[0]
    assert "1 / 40" in flagship_row
    assert "Upcoming initial orientation by track" not in client_for(trainer_tokyo).get(SESSIONS).content.decode()
