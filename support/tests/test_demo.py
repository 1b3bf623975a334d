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
