from django.urls import reverse

URL = reverse("contacts:wellbeing")


def test_anyone_can_read_the_counselling_line_without_logging_in(client, db, settings):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert settings.WELLBEING_LINE["phone"] in page
    assert settings.WELLBEING_LINE["hours"] in page
    assert "Languages" in page
    assert "English" in page and "Tagalog" in page and "Portuguese" in page


def test_the_page_reads_in_japanese(client, db):
    client.cookies["portal_language"] = "ja"
    page = client.get(URL).content.decode()
    assert '<html lang="ja">' in page
    assert "秘密厳守" in page and "クレデンシャル" not in page  # not another catalogue's "Confidential"
    assert "タガログ語" in page


def test_reading_it_anonymously_stores_nothing(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(URL)
    assert "sessionid" not in response.cookies


def test_every_page_links_to_it_in_the_footer(client_for, alt_tokyo, client, db):
    assert URL in client.get(reverse("account_login")).content.decode()
    assert URL in client_for(alt_tokyo).get(reverse("dashboard")).content.decode()
