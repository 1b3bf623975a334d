"""CSV import and export of placements and ALT accounts, through the admin."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import AltProfile, Notification, User
from onboarding.models import Placement, PlacementEvent, Stage
from testing.onboarding import PlacementFactory

IMPORT = reverse("admin:onboarding_placement_import")
PROCESS = reverse("admin:onboarding_placement_process_import")
EXPORT = reverse("admin:onboarding_placement_export")
HEADER = (
    "email,first_name,last_name,preferred_language,phone,country,stage,branch,owner,departure_date,arrival_date,note"
)


def upload(client, text: str):
    file = SimpleUploadedFile("placements.csv", text.encode(), content_type="text/csv")
    return client.post(IMPORT, {"resource": "0", "format": "0", "import_file": file})


def confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(PROCESS, data, follow=True)


@pytest.fixture
def grm_client(client_for, grm, tokyo, osaka, mc_tokyo):
    return client_for(grm)


def test_dry_run_shows_the_changes_and_saves_nothing(grm_client):
    text = f"{HEADER}\nnew.alt@example.com,Ana,Lima,en,,Brazil,APPLIED,,grm@example.com,2031-04-01,2031-04-02,\n"
    response = upload(grm_client, text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "new.alt@example.com" in page
    assert response.context["confirm_form"] is not None
    assert not User.objects.filter(email="new.alt@example.com").exists()
    assert not Notification.objects.exists()


def test_confirmed_import_creates_the_alt_account_and_sends_the_invitation(
    grm_client, grm, mailoutbox, django_capture_on_commit_callbacks
):
    text = f"{HEADER}\nnew.alt@example.com,Ana,Lima,ja,,Brazil,OFFERED,,grm@example.com,2031-04-01,2031-04-02,\n"
    preview = upload(grm_client, text)
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(grm_client, preview)
    assert response.status_code == 200
    user = User.objects.get(email="new.alt@example.com")
    assert not user.has_usable_password()
    assert user.preferred_language == "ja"
    placement = Placement.objects.get(alt=user)
    assert (placement.stage, placement.owner) == (Stage.OFFERED, grm)
    profile = AltProfile.objects.get(user=user)
    assert (str(profile.departure_date), profile.country, profile.grm_contact) == ("2031-04-01", "Brazil", grm)
    assert [m.to for m in mailoutbox] == [["new.alt@example.com"]]
    assert "password" in mailoutbox[0].body.lower() or "パスワード" in mailoutbox[0].body


def test_import_moves_an_existing_placement_through_the_service(
    grm_client, applicant, grm, mc_tokyo, tokyo, django_capture_on_commit_callbacks, mailoutbox
):
    PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, owner=grm)
    text = f"{HEADER}\nalt.applicant@example.com,,,,,,CONFIRMED,tokyo,,,,Imported confirmation\n"
    preview = upload(grm_client, text)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(grm_client, preview)
    placement = Placement.objects.get(alt=applicant)
    assert placement.stage == Stage.CONFIRMED
    assert AltProfile.objects.get(user=applicant).managing_consultant == mc_tokyo
    assert PlacementEvent.objects.get(placement=placement, to_stage="CONFIRMED").note == "Imported confirmation"
    assert "mc.tokyo@example.com" in [m.to[0] for m in mailoutbox]


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("bad.branch@example.com,Bo,Ng,en,,,APPLIED,atlantis,,2031-04-01,,", "no branch with the code “atlantis”"),
        ("bad.date@example.com,Bo,Ng,en,,,APPLIED,,,31/04/2031,,", "is not a date"),
        ("first.ok@example.com,Bo,Ng,en,,,APPLIED,,,2031-04-01,,", "appears more than once in the file"),
        ("bad.stage@example.com,Bo,Ng,en,,,ARRIVED,tokyo,,2031-04-01,,", "A new placement starts at one of"),
        ("unknown.stage@example.com,Bo,Ng,en,,,HIRED,,,2031-04-01,,", "is not a stage"),
        # As the admin's forms check them: addresses, lengths, NUL characters, dates in the portal's range.
        ("not-an-address,Bo,Ng,en,,,APPLIED,,,2031-04-01,,", "Enter a valid email address"),
        ("nul@example.com,B\x00o,Ng,en,,,APPLIED,,,2031-04-01,,", "Null characters are not allowed"),
        ("long@example.com,Bo," + "N" * 151 + ",en,,,APPLIED,,,2031-04-01,,", "at most 150 characters"),
        ("phone@example.com,Bo,Ng,en," + "0" * 33 + ",,APPLIED,,,2031-04-01,,", "at most 32 characters"),
        ("note@example.com,Bo,Ng,en,,,APPLIED,,,2031-04-01,,a\x00b", "Null characters are not allowed"),
        ("early@example.com,Bo,Ng,en,,,APPLIED,,,0001-01-01,,", "Enter a date between"),
        ("late@example.com,Bo,Ng,en,,,APPLIED,,,2031-04-01,2101-01-01,", "Enter a date between"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_saved(grm_client, bad_row, message):
    text = (
        f"{HEADER}\n"
        "first.ok@example.com,Ana,Lima,en,,,APPLIED,,,2031-04-01,,\n"
        "second.ok@example.com,Ben,Cho,en,,,APPLIED,,,2031-04-01,,\n"
        f"{bad_row}\n"
    )
    response = upload(grm_client, text)
    page = response.content.decode()
    listed = page.split('id="import-errors-by-line"')[1].split("</ul>")[0]
    assert "Line 4:" in listed
    assert message in listed
    assert response.context.get("confirm_form") is None
    assert not User.objects.filter(email__in=["first.ok@example.com", "second.ok@example.com"]).exists()
    assert not Placement.objects.exists()
    assert not Notification.objects.exists()


def _staff_account_opened_meanwhile(applicant_placement):
    from contacts.models import StaffRole
    from testing.contacts import make_staff

    make_staff(role=StaffRole.Role.SESPS, email="second.ok@example.com")


def _placement_withdrawn_meanwhile(applicant_placement):
    from onboarding.services import placement_move

    placement_move(placement=applicant_placement, to_stage=Stage.WITHDRAWN, by=applicant_placement.owner, note="")


@pytest.mark.parametrize(
    ("meanwhile", "bad_line"),
    [(_staff_account_opened_meanwhile, 4), (_placement_withdrawn_meanwhile, 3)],
    ids=["email-taken-by-staff", "placement-withdrawn"],
)
def test_a_row_gone_bad_after_the_preview_saves_nothing_of_the_file_on_confirm(
    grm_client, applicant, grm, mailoutbox, django_capture_on_commit_callbacks, meanwhile, bad_line
):
    # The preview is always rolled back; this is the confirmed import, where the good rows around
    # a bad one would be written unless the whole file is rolled back.
    placement = PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, owner=grm)
    text = (
        f"{HEADER}\n"
        "first.ok@example.com,Ana,Lima,en,,,APPLIED,,,2031-04-01,,\n"
        "alt.applicant@example.com,,,,,,CONFIRMED,tokyo,,,,\n"
        "second.ok@example.com,Ben,Cho,en,,,APPLIED,,,2031-04-01,,\n"
    )
    preview = upload(grm_client, text)
    assert preview.context["confirm_form"] is not None  # the file was good when previewed
    meanwhile(placement)
    stage_before = Placement.objects.get(pk=placement.pk).stage
    rows_before = [model.objects.count() for model in (User, Placement, PlacementEvent, Notification)]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(grm_client, preview)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == IMPORT
    page = response.content.decode()
    assert f"Nothing was imported: the file has errors on line(s) {bad_line}." in page
    assert not User.objects.filter(email="first.ok@example.com").exists()
    assert not AltProfile.objects.filter(user__email="second.ok@example.com").exists()
    assert Placement.objects.get(pk=placement.pk).stage == stage_before
    assert [model.objects.count() for model in (User, Placement, PlacementEvent, Notification)] == rows_before
    assert mailoutbox == []


def test_an_illegal_move_in_the_import_is_refused(grm_client, applicant, grm):
    placement = PlacementFactory(alt=applicant, stage=Stage.APPLIED, owner=grm)
    text = f"{HEADER}\nalt.applicant@example.com,,,,,,ARRIVED,tokyo,,,,\n"
    page = upload(grm_client, text).content.decode()
    assert "Line 2:" in page
    assert "cannot move from Applied to Arrived" in page
    assert Placement.objects.get(pk=placement.pk).stage == Stage.APPLIED


def test_a_staff_email_is_not_turned_into_an_alt(grm_client, staff_tokyo):
    page = upload(grm_client, f"{HEADER}\nstaff.tokyo@example.com,A,B,en,,,APPLIED,,,,,\n").content.decode()
    assert "not an ALT" in page
    assert not Placement.objects.exists()


def test_export_lists_placements_with_their_accounts(grm_client, applicant, alt_tokyo, tokyo, grm):
    PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, owner=grm)
    PlacementFactory(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo, owner=grm)
    response = grm_client.post(
        EXPORT, {"format": "0", "resource": "0", **{f"placementresource_{c}": "on" for c in HEADER.split(",")}}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_email = {row["email"]: row for row in rows}
    assert by_email["alt.tokyo@example.com"]["branch"] == "tokyo"
    assert by_email["alt.tokyo@example.com"]["stage"] == "ARRIVED"
    assert by_email["alt.applicant@example.com"]["owner"] == "grm@example.com"


def test_branch_staff_may_not_import_or_export(client_for, staff_tokyo):
    client = client_for(staff_tokyo)
    assert client.get(IMPORT).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_alt_accounts_file_creates_accounts_and_updates_names(grm_client, applicant, grm):
    PlacementFactory(alt=applicant, stage=Stage.PLACEMENT, owner=grm)
    text = (
        "email,first_name,last_name,preferred_language,phone,country,departure_date,arrival_date\n"
        "alt.applicant@example.com,Noah,Williams-Lee,en,080-1111-2222,Canada,2031-04-01,2031-04-02\n"
        "fresh@example.com,Mia,Sato,en,,Japan,,\n"
    )
    file = SimpleUploadedFile("accounts.csv", text.encode(), content_type="text/csv")
    preview = grm_client.post(IMPORT, {"resource": "1", "format": "0", "import_file": file})
    assert preview.context["confirm_form"] is not None
    confirm(grm_client, preview)
    applicant.refresh_from_db()
    assert applicant.last_name == "Williams-Lee"
    assert Placement.objects.get(alt=applicant).stage == Stage.PLACEMENT
    assert str(AltProfile.objects.get(user=applicant).departure_date) == "2031-04-01"
    fresh = User.objects.get(email="fresh@example.com")
    assert Placement.objects.get(alt=fresh).stage == Stage.APPLIED
    assert Notification.objects.filter(recipient=fresh, kind="account.invitation").exists()


@pytest.mark.parametrize("rows", [1, 20])
def test_export_query_count_does_not_grow_with_rows(grm_client, grm, tokyo, rows, django_assert_max_num_queries):
    from testing.contacts import make_alt

    for n in range(rows):
        PlacementFactory(alt=make_alt(email=f"export{n}@example.com", branch=tokyo), stage=Stage.ARRIVED, branch=tokyo)
    data = {"format": "0", "resource": "0", **{f"placementresource_{c}": "on" for c in HEADER.split(",")}}
    grm_client.post(EXPORT, data)  # the session's first request records activity
    with django_assert_max_num_queries(14):
        response = grm_client.post(EXPORT, data)
    assert len(list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))) == rows
