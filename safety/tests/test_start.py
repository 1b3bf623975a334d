"""Starting a check at /admin/safety/safetycheck/add/: who may, for which scope, and who is asked (once)."""

import contextlib
import re
from datetime import timedelta

from django.utils import timezone

from contacts.models import AltProfile, Notification, User
from contacts.outbox import broker_breaker
from safety.models import SafetyAnswer, SafetyCheck
from safety.services import safety_check_fan_out, safety_reminders_send
from safety.tasks import fan_out_safety_check
from testing.contacts import make_alt

from .factories import answer_of, live_in, start_check

ADD = "/admin/safety/safetycheck/add/"


def _form(**fields) -> dict:
    data = {
        "title": "Earthquake in Kansai",
        "message": "A strong earthquake hit Kansai at 10:02. Are you safe?",
        "reason": "EARTHQUAKE",
        "title_ja": "",
        "message_ja": "",
        "_save": "Save",
    }
    data.update(fields)
    return data


def test_the_add_page_labels_its_fields_title_message_branches_and_prefectures(client_for, sesps, tokyo):
    page = client_for(sesps).get(ADD).content.decode()
    for name, label in [
        ("title", "Title"),
        ("message", "Message"),
        ("branches", "Branches"),
        ("prefectures", "Prefectures"),
    ]:
        assert re.search(rf'<label[^>]*for="id_{name}"[^>]*>{label}:?</label>', page), label
    # No other label contains those words: a form filled by its labels finds one field each.
    labels = re.findall(r"<label[^>]*>([^<]*)</label>", page)
    for word in ("Title", "Message", "Branches", "Prefectures"):
        assert len([text for text in labels if word.lower() in text.lower()]) == 1, (word, labels)
    assert "Okinawa" in page and "Hokkaido" in page


def test_saving_starts_it_and_every_arrived_alt_in_scope_gets_an_email_in_their_language(
    client_for, sesps, settled, tokyo, mailoutbox, django_capture_on_commit_callbacks
):
    japanese = make_alt(branch=tokyo, email="alt.ja@example.com", prefecture="13")
    User.objects.filter(pk=japanese.pk).update(preferred_language="ja")
    make_alt(branch=tokyo, email="not.yet@example.com", arrival_date=timezone.localdate() + timedelta(days=5))
    make_alt(branch=None, email="applicant@example.com")
    gone = make_alt(branch=tokyo, email="gone@example.com")
    User.objects.filter(pk=gone.pk).update(is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(sesps).post(ADD, _form(title_ja="関西で地震", message_ja="関西で強い地震がありました。"))
    check = SafetyCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/safety/safetycheck/{check.pk}/change/"
    assert check.started_by == sesps and check.fanned_out_at is not None and check.recipients == 3
    emails = {message.to[0]: message for message in mailoutbox}
    assert set(emails) == {"alt.tokyo@example.com", "alt.osaka@example.com", "alt.ja@example.com"}
    assert emails["alt.tokyo@example.com"].subject == "Safety check: Earthquake in Kansai"
    assert "A strong earthquake hit Kansai" in emails["alt.tokyo@example.com"].body
    assert emails["alt.ja@example.com"].subject == "【安否確認】関西で地震"
    assert "関西で強い地震がありました。" in emails["alt.ja@example.com"].body
    for address, message in emails.items():
        alt = User.objects.get(email=address)
        assert re.search(r"http://127\.0\.0\.1:8000/safety/a/[\w:-]+/", message.body), address
        assert answer_of(check, alt).status == "NO_ANSWER"


def test_a_prefecture_asks_only_the_alts_who_live_there(
    client_for, sesps, settled, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(sesps).post(ADD, _form(prefectures=["27"]))
    assert [message.to for message in mailoutbox] == [["alt.osaka@example.com"]]


def test_branches_and_prefectures_together_ask_the_alts_of_those_branches_living_there(
    client_for, sesps, settled, tokyo, osaka, django_capture_on_commit_callbacks
):
    in_chiba = make_alt(branch=tokyo, email="chiba@example.com", prefecture="12")
    make_alt(branch=osaka, email="osaka.chiba@example.com", prefecture="12")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(sesps).post(ADD, _form(branches=[tokyo.pk], prefectures=["12", "13"]))
    assert list(SafetyAnswer.objects.values_list("alt", flat=True)) == [in_chiba.pk]


def test_an_alt_without_a_prefecture_is_asked_only_when_no_prefecture_is_chosen(client_for, sesps, tokyo, alt_tokyo):
    assert AltProfile.objects.get(user=alt_tokyo).prefecture == ""
    response = client_for(sesps).post(ADD, _form(prefectures=["13"]))
    assert response.status_code == 200 and not SafetyCheck.objects.exists()
    assert client_for(sesps).post(ADD, _form()).status_code == 302


def test_an_mc_is_offered_only_their_branch_and_starts_checks_for_it(
    client_for, mc_tokyo, settled, tokyo, osaka, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(mc_tokyo)
    page = client.get(ADD).content.decode()
    branches = re.search(r'<select name="branches".*?</select>', page, re.S).group(0)
    assert f'value="{tokyo.pk}" selected' in branches and f'value="{osaka.pk}"' not in branches

    response = client.post(ADD, _form(branches=[osaka.pk]))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = client.post(ADD, _form())
    assert response.status_code == 200 and "Choose your branch" in response.content.decode()
    assert not SafetyCheck.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(ADD, _form(branches=[tokyo.pk])).status_code == 302
    assert [message.to for message in mailoutbox] == [["alt.tokyo@example.com"]]


def test_a_scheduler_starts_checks_for_their_branch_too(client_for, staff_tokyo, settled, tokyo):
    assert client_for(staff_tokyo).post(ADD, _form(branches=[tokyo.pk])).status_code == 302
    assert SafetyCheck.objects.get().started_by == staff_tokyo


def test_trainers_and_grm_cannot_start_checks(client_for, trainer_tokyo, grm, settled, tokyo):
    for person in (trainer_tokyo, grm):
        assert client_for(person).get(ADD).status_code == 403
        assert client_for(person).post(ADD, _form(branches=[tokyo.pk])).status_code == 403
    assert not SafetyCheck.objects.exists()


def test_a_scope_with_nobody_in_it_is_refused_on_the_form(client_for, sesps, settled):
    response = client_for(sesps).post(ADD, _form(prefectures=["47"]))
    assert response.status_code == 200
    assert "No arrived ALT is in this scope" in response.content.decode()
    assert response.context["adminform"].form.data["title"] == "Earthquake in Kansai"  # the input is kept
    assert not SafetyCheck.objects.exists()


def test_saving_returns_before_anyone_is_emailed_the_fan_out_is_a_task(client_for, sesps, settled, mailoutbox):
    """Without running the on-commit callbacks: the request wrote the check, not the answers or emails."""
    assert client_for(sesps).post(ADD, _form()).status_code == 302
    check = SafetyCheck.objects.get()
    assert check.fanned_out_at is None and not SafetyAnswer.objects.exists() and mailoutbox == []
    fan_out_safety_check(check.pk)
    assert SafetyAnswer.objects.count() == 2 and Notification.objects.filter(kind="safety.check").count() == 2


def test_the_fan_out_run_twice_sends_once(sesps, settled, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        check = start_check(by=sesps, fan_out=False)
    assert len(mailoutbox) == 2  # the task ran after commit
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out_safety_check(check.pk) == 0
        assert safety_check_fan_out(check_id=check.pk) == 0
    assert len(mailoutbox) == 2
    assert SafetyAnswer.objects.count() == 2


def test_a_start_interrupted_halfway_is_finished_without_sending_anything_twice(
    sesps, settled, tokyo, settings, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    """The worker dies after the first batch: the second start of the same check (the task delivered
    again, or the sweep) asks the others, and nobody twice."""
    from safety.services import checks

    settings.SAFETY_FANOUT_BATCH = 2
    for n in range(3):
        make_alt(branch=tokyo, email=f"more{n}@example.com")
    check = start_check(by=sesps, fan_out=False)
    real_notify_many, calls = checks.notify_many, []

    def dies_on_the_second_batch(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real_notify_many(**kwargs)

    monkeypatch.setattr(checks, "notify_many", dies_on_the_second_batch)
    with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(SystemExit):
        safety_check_fan_out(check_id=check.pk)
    assert SafetyAnswer.objects.count() == 2 and len(mailoutbox) == 2
    check.refresh_from_db()
    assert check.fanned_out_at is None
    monkeypatch.setattr(checks, "notify_many", real_notify_many)
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_safety_check(check.pk)
        fan_out_safety_check(check.pk)
        safety_reminders_send(now=timezone.now() + timedelta(minutes=5))
    assert SafetyAnswer.objects.count() == 5
    assert sorted(m.to[0] for m in mailoutbox) == sorted({m.to[0] for m in mailoutbox})
    assert len(mailoutbox) == 5


def test_with_the_broker_down_the_sweep_asks_everyone_a_minute_later(
    sesps, settled, broker_down, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        check = start_check(by=sesps, fan_out=False)
    from celery import current_app as app

    app.conf.task_always_eager = True  # the broker is back
    broker_breaker.reset()
    assert not SafetyAnswer.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert safety_reminders_send(now=timezone.now() + timedelta(minutes=2)) == 2
    check.refresh_from_db()
    assert check.fanned_out_at is not None and len(mailoutbox) == 2


def test_the_prefecture_is_kept_as_it_was_when_the_check_started(sesps, settled, alt_tokyo):
    check = start_check(by=sesps)
    live_in(alt_tokyo, "13")
    assert answer_of(check, alt_tokyo).prefecture == "11"
