from django.core.management import call_command

from support.models import CannedReply, Message, SupportRequest


def test_seed_demo_gives_each_demo_alt_requests_in_several_states_and_is_idempotent(db):
    call_command("seed_demo", "--force", verbosity=0)
    counts = (SupportRequest.objects.count(), Message.objects.count(), CannedReply.objects.count())
    for email in ("alt.tokyo@example.com", "alt.osaka@example.com"):
        requests = SupportRequest.objects.filter(alt__email=email)
        assert requests.count() >= 3
        assert len(set(requests.values_list("status", flat=True))) >= 3
        assert Message.objects.filter(support_request__alt__email=email).exists()
        assert set(requests.values_list("branch__code", flat=True)) == {email.split(".")[1].split("@")[0]}
    call_command("seed_demo", "--force", verbosity=0)
    assert (SupportRequest.objects.count(), Message.objects.count(), CannedReply.objects.count()) == counts
    assert SupportRequest.objects.values("reference").distinct().count() == counts[0]


def test_seed_demo_shows_the_mc_first_a_rota_a_visit_and_questions_with_grm(db):
    from support.models import OnCallShift, Status, Visit

    call_command("seed_demo", "--force", verbosity=0)
    shifts, visits = OnCallShift.objects.count(), Visit.objects.count()
    for code in ("tokyo", "osaka"):
        new = SupportRequest.objects.get(alt__email=f"alt.{code}@example.com", status=Status.NEW)
        assert new.assignee.email == f"mc.{code}@example.com"
        assert OnCallShift.objects.filter(branch__code=code).count() >= 5
        assert Visit.objects.filter(branch__code=code, support_request__alt__email=f"alt.{code}@example.com").exists()
    with_grm = SupportRequest.objects.filter(branch__isnull=True)
    assert set(with_grm.values_list("alt__email", flat=True)) == {
        "alt.applicant@example.com",
        "alt.predeparture@example.com",
    }
    assert set(with_grm.values_list("assignee__email", flat=True)) == {"grm@example.com"}
    call_command("seed_demo", "--force", verbosity=0)
    assert (OnCallShift.objects.count(), Visit.objects.count()) == (shifts, visits)


def test_seed_demo_leaves_a_new_reply_on_each_side(client_for, db):
    from django.urls import reverse

    from contacts.models import User

    call_command("seed_demo", "--force", verbosity=0)
    alt = client_for(User.objects.get(email="alt.tokyo@example.com"))
    page = alt.get(reverse("support:list")).content.decode()
    bank = page.split("Opening a bank account for my salary")[1].split("</tr>")[0]
    assert "New reply" in bank and page.count("New reply") == 1
    staff = client_for(User.objects.get(email="staff.tokyo@example.com"))
    changelist = reverse("admin:support_supportrequest_changelist")
    page = staff.get(changelist, {"alt_replied": "new"}).content.decode()
    assert "Registering my address at the ward office" in page and "新しい返信" in page  # staff.tokyo reads Japanese
    assert "Water leaking" not in page
    applicant = client_for(User.objects.get(email="alt.applicant@example.com"))
    assert "New reply" in applicant.get(reverse("support:list")).content.decode()
