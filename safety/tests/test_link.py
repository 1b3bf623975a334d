"""The email's link: answers without logging in, signed for one ALT and one check, dead once the check closes."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core import signing

from contacts.models import User
from safety.links import LINK_SALT
from safety.models import Channel, SafetyAnswerChange
from safety.services import safety_check_close
from support.models import SupportRequest, Urgency

from .factories import answer_of, link_path, start_check


def test_the_link_opens_the_answer_page_without_logging_in(client, sesps, settled, alt_tokyo):
    check = start_check(by=sesps)
    response = client.get(link_path(check, alt_tokyo))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Earthquake in Kanto" in page and "A strong earthquake hit Kanto" in page
    assert re.search(r"<button type=\"submit\" name=\"status\" value=\"SAFE\"[^>]*>I'm safe</button>", page)
    assert re.search(r'<button type="submit" name="status" value="NEED_HELP"[^>]*>I need help</button>', page)
    assert "090-0000-1999" in page  # the branch's emergency number
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "same-origin"


def test_the_page_works_without_javascript_and_weighs_under_30_kb(client, sesps, settled, alt_tokyo):
    check = start_check(by=sesps, message="A strong earthquake hit Kanto. " * 30)
    response = client.get(link_path(check, alt_tokyo))
    page = response.content.decode()
    assert "<script" not in page  # nothing to run: the form is plain HTML
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form.group(1) == link_path(check, alt_tokyo)
    assert 'name="csrfmiddlewaretoken"' in form.group(2) and 'name="note"' in form.group(2)
    styles = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)">', page)
    assert styles == ["css/safety.css"]  # no framework
    weight = len(response.content) + sum(Path(finders.find(path)).stat().st_size for path in styles)
    assert weight < 30 * 1024, weight


def test_one_tap_records_the_answer_with_its_channel(client, sesps, settled, alt_tokyo):
    check = start_check(by=sesps)
    path = link_path(check, alt_tokyo)
    client.get(path)
    response = client.post(path, {"status": "SAFE", "note": ""})
    # The answer comes back with the page itself: one request on a bad connection.
    assert response.status_code == 200 and "Your answer: I'm safe" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    answer = answer_of(check, alt_tokyo)
    assert (answer.status, answer.channel) == ("SAFE", Channel.EMAIL_LINK) and answer.answered_at
    assert "Your answer: I'm safe" in client.get(path).content.decode()


def test_a_changed_answer_keeps_its_history(client, sesps, settled, alt_tokyo, mailoutbox):
    check = start_check(by=sesps)
    path = link_path(check, alt_tokyo)
    client.post(path, {"status": "SAFE"})
    client.post(path, {"status": "SAFE"})  # a double tap changes nothing
    client.post(path, {"status": "NEED_HELP", "note": "The ceiling of my flat came down."})
    answer = answer_of(check, alt_tokyo)
    assert answer.status == "NEED_HELP" and answer.note == "The ceiling of my flat came down."
    history = list(SafetyAnswerChange.objects.filter(answer=answer).values_list("status", "note"))
    assert history == [("SAFE", ""), ("NEED_HELP", "The ceiling of my flat came down.")]
    page = client.get(path).content.decode()
    assert "Your earlier answers" in page and "The ceiling of my flat came down." in page


def test_i_need_help_from_the_link_opens_an_urgent_request_for_the_branch(client, sesps, settled, alt_tokyo, tokyo):
    check = start_check(by=sesps)
    client.post(link_path(check, alt_tokyo), {"status": "NEED_HELP", "note": "At the evacuation centre of Kawaguchi."})
    request = SupportRequest.objects.get()
    assert (request.alt, request.branch, request.urgency) == (alt_tokyo, tokyo, Urgency.URGENT)
    assert "At the evacuation centre of Kawaguchi." in request.details and "Saitama" in request.details
    assert answer_of(check, alt_tokyo).support_request == request
    # A new note while the request is open goes to it, not to a second request.
    client.post(link_path(check, alt_tokyo), {"status": "NEED_HELP", "note": "Now at my friend's place."})
    assert SupportRequest.objects.count() == 1
    assert request.messages.get().body == "Now at my friend's place."


def test_a_tampered_or_made_up_link_answers_404(client, sesps, settled, alt_tokyo, alt_osaka):
    check = start_check(by=sesps)
    path = link_path(check, alt_tokyo)
    token = path.split("/")[3]
    forged = signing.Signer(salt="another.purpose").sign_object([check.pk, alt_osaka.pk])
    for bad in [token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" * 40, forged, token.upper()]:
        assert client.get(f"/safety/a/{bad}/").status_code == 404, bad
        assert client.post(f"/safety/a/{bad}/", {"status": "SAFE"}).status_code == 404
    # Signed, but for a check that did not ask this person.
    other = signing.Signer(salt=LINK_SALT).sign_object([check.pk + 1, alt_tokyo.pk])
    assert client.get(f"/safety/a/{other}/").status_code == 404
    assert answer_of(check, alt_tokyo).status == "NO_ANSWER"


def test_once_the_check_is_closed_the_link_answers_404_says_so_and_changes_nothing(client, sesps, settled, alt_tokyo):
    check = start_check(by=sesps)
    path = link_path(check, alt_tokyo)
    client.get(path)
    safety_check_close(check=check, by=sesps)
    response = client.get(path)
    assert response.status_code == 404 and "This safety check is closed" in response.content.decode()
    response = client.post(path, {"status": "NEED_HELP", "note": "too late"})
    assert response.status_code == 404 and "This safety check is closed" in response.content.decode()
    answer = answer_of(check, alt_tokyo)
    assert answer.status == "NO_ANSWER" and not SafetyAnswerChange.objects.exists()
    assert not SupportRequest.objects.exists()


def test_no_answer_chosen_is_told_on_the_form_and_the_note_is_kept(client, sesps, settled, alt_tokyo):
    check = start_check(by=sesps)
    response = client.post(link_path(check, alt_tokyo), {"note": "My window broke."})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Please tap" in page and "My window broke." in page
    assert answer_of(check, alt_tokyo).status == "NO_ANSWER"
    response = client.post(link_path(check, alt_tokyo), {"status": "MAYBE"})
    assert response.status_code == 422


def test_the_page_is_in_the_language_of_the_alt_it_was_sent_to(client, sesps, settled, alt_tokyo):
    User.objects.filter(pk=alt_tokyo.pk).update(preferred_language="ja")
    check = start_check(by=sesps, title_ja="関東で地震", message_ja="関東で強い地震がありました。")
    page = client.get(link_path(check, alt_tokyo)).content.decode()
    assert '<html lang="ja">' in page and "関東で地震" in page
    assert "無事です" in page and "助けが必要です" in page


def test_on_postgresql_im_safe_is_one_statement_after_the_read(postgres, sesps, settled, alt_tokyo):
    """10,000 answers within a minute: no transaction, no locked read, the history row in the same statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safety.services import safety_answer_record

    check = start_check(by=sesps)
    with CaptureQueriesContext(connection) as queries:
        safety_answer_record(check_id=check.pk, alt_id=alt_tokyo.pk, status="SAFE", note="", channel="EMAIL_LINK")
    assert [q["sql"].split()[0] for q in queries] == ["SELECT", "WITH"]
    answer = answer_of(check, alt_tokyo)
    assert answer.status == "SAFE"
    assert list(SafetyAnswerChange.objects.filter(answer=answer).values_list("status", flat=True)) == ["SAFE"]
