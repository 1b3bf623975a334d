"""Cards to show at the counter: Japanese with English beside it, on a phone or printed; staff edit them."""

from django.urls import reverse

from support.models import CounterCard

CARDS = reverse("support:cards")


def test_the_four_cards_are_there_from_the_start(db):
    assert set(CounterCard.objects.values_list("place", flat=True)) == {"city-hall", "bank", "phone-shop", "doctor"}


def test_an_alt_lists_the_cards_and_opens_one(client_for, alt_tokyo, django_assert_max_num_queries):
    client = client_for(alt_tokyo)
    page = client.get(CARDS).content.decode()
    for card in CounterCard.objects.all():
        assert card.get_absolute_url() in page
    with django_assert_max_num_queries(5):
        response = client.get(reverse("support:card", args=["city-hall"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "転入届（住民登録）をしたいです" in page and "I would like to register my address" in page
    assert "在留カード" in page and "Residence card" in page
    assert 'lang="ja"' in page and 'lang="en"' in page
    assert "counter-card.css" in page  # large Japanese text and the print layout
    assert "Print this card" in page


def test_the_print_stylesheet_hides_the_navigation(client_for, alt_tokyo):
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("support/css/counter-card.css")).read_text(encoding="utf-8")
    assert "@media print" in css and "nav" in css


def test_an_applicant_and_staff_may_read_the_cards_anonymous_visitors_log_in(client_for, applicant, staff_tokyo):
    url = reverse("support:card", args=["bank"])
    assert client_for(applicant).get(url).status_code == 200
    assert client_for(staff_tokyo).get(url).status_code == 200
    assert client_for(None).get(url).status_code == 302


def test_an_unknown_card_is_404(client_for, alt_tokyo):
    assert client_for(alt_tokyo).get(reverse("support:card", args=["karaoke"])).status_code == 404


def test_the_cards_refuse_post(client_for, alt_tokyo):
    assert client_for(alt_tokyo).post(reverse("support:card", args=["bank"])).status_code == 405


def test_national_staff_edit_a_card_in_both_languages(client_for, sesps, alt_tokyo):
    card = CounterCard.objects.get(place="doctor")
    url = reverse("admin:support_countercard_change", args=[card.pk])
    client = client_for(sesps)
    assert client.get(url).status_code == 200
    data = {
        "order": 4,
        "title_ja": "診察を受けたいです",
        "title_en": "I would like to see a doctor",
        "purpose_ja": "熱があります。",
        "purpose_en": "I have a fever.",
        "bring_ja": "保険証\n在留カード",
        "bring_en": "Insurance card\nResidence card",
    }
    assert client.post(url, data).status_code == 302
    page = client_for(alt_tokyo).get(card.get_absolute_url()).content.decode()
    assert "熱があります。" in page and "I have a fever." in page
    assert "<li>保険証</li>" in page


def test_a_card_saved_with_an_empty_language_is_refused(client_for, grm):
    card = CounterCard.objects.get(place="bank")
    url = reverse("admin:support_countercard_change", args=[card.pk])
    response = client_for(grm).post(url, {"order": 2, "title_ja": "", "title_en": "Bank"})
    assert response.status_code == 200
    card.refresh_from_db()
    assert card.title_ja == "銀行口座を開きたいです"


def test_branch_staff_cannot_edit_the_national_cards(client_for, trainer_tokyo, staff_tokyo, mc_tokyo):
    card = CounterCard.objects.get(place="bank")
    url = reverse("admin:support_countercard_change", args=[card.pk])
    for person in (trainer_tokyo, staff_tokyo, mc_tokyo):
        assert client_for(person).get(url).status_code == 403
