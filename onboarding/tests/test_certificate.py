"""The certificate of completion as a PDF: for the ALT who completed the course and the staff who
may see them; Japanese names in a Japanese font; no font, no error."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from onboarding.models import Stage, Task
from testing.onboarding import EnrolmentFactory, PlacementFactory, complete, make_course


@pytest.fixture
def course(db):
    course = make_course(tasks_per_module=(2,), with_quiz=True)
    course.title_ja = "出発前研修"
    course.save()
    return course


@pytest.fixture
def enrolment(alt_tokyo, tokyo, course):
    PlacementFactory(alt=alt_tokyo, stage=Stage.PRE_DEPARTURE, branch=tokyo)
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    for task in Task.objects.filter(module__course=course):
        complete(enrolment, task, score=100 if task.is_quiz else None)
    return enrolment


def pdf_url(enrolment) -> str:
    return reverse("onboarding:certificate_pdf", args=[enrolment.pk])


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def font_names(response) -> set[str]:
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    return {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}


def test_the_alt_downloads_their_certificate(client_for, alt_tokyo, enrolment):
    response = client_for(alt_tokyo).get(pdf_url(enrolment))
    assert response["Content-Disposition"].startswith('attachment; filename="certificate-')
    text = pdf_text(response)
    assert "Certificate of completion" in text
    assert alt_tokyo.display_name in text
    assert "Before you fly" in text
    assert f"{enrolment.pk:06d}" in text


def test_the_certificate_page_links_the_pdf(client_for, alt_tokyo, enrolment):
    page = client_for(alt_tokyo).get(reverse("onboarding:certificate")).content.decode()
    assert pdf_url(enrolment) in page


def test_a_japanese_name_in_japanese_is_written_in_a_japanese_font(client_for, alt_tokyo, enrolment, settings):
    alt_tokyo.first_name, alt_tokyo.last_name, alt_tokyo.preferred_language = "花子", "山田", "ja"
    alt_tokyo.save()
    response = client_for(alt_tokyo).get(pdf_url(enrolment))
    text = pdf_text(response)
    assert "修了証" in text
    assert "花子" in text and "山田" in text
    assert "出発前研修" in text
    assert any("IPA" in name for name in font_names(response)), font_names(response)


def test_an_unfinished_course_has_no_certificate(client_for, alt_tokyo, enrolment):
    enrolment.completions.first().delete()
    assert client_for(alt_tokyo).get(pdf_url(enrolment)).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alt_osaka", 404),
        ("mc_tokyo", 200),
        ("staff_tokyo", 200),
        ("trainer_tokyo", 200),
        ("grm", 200),
        ("sesps", 200),
        ("mc_osaka", 404),
        ("trainer_osaka", 404),
        ("outsider", 404),
    ],
)
def test_staff_who_may_see_the_alt_may_download_it_others_get_404(client_for, request, enrolment, who, status):
    response = client_for(request.getfixturevalue(who)).get(pdf_url(enrolment))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"


def test_anonymous_visitors_go_to_the_login_page(client, enrolment):
    assert client.get(pdf_url(enrolment))["Location"].startswith(reverse("account_login"))


def test_an_unknown_certificate_is_404(client_for, alt_tokyo, enrolment):
    assert client_for(alt_tokyo).get(reverse("onboarding:certificate_pdf", args=[999999])).status_code == 404


def test_without_the_japanese_font_a_latin_certificate_is_still_made(client_for, alt_tokyo, enrolment, settings):
    settings.CERTIFICATE_FONT = "/nonexistent/ipag.ttf"
    response = client_for(alt_tokyo).get(pdf_url(enrolment))
    assert alt_tokyo.display_name in pdf_text(response)
    assert font_names(response) <= {"/Helvetica", "/Helvetica-Bold"}


@pytest.mark.parametrize("font", ["missing", "broken"])
def test_without_a_usable_font_japanese_text_gets_the_printable_page(
    client_for, alt_tokyo, enrolment, settings, tmp_path, font
):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    settings.CERTIFICATE_FONT = str(broken) if font == "broken" else "/nonexistent/ipag.ttf"
    alt_tokyo.first_name, alt_tokyo.last_name = "花子", "山田"
    alt_tokyo.save()
    response = client_for(alt_tokyo).get(pdf_url(enrolment))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "The PDF cannot be made right now" in page
    assert "山田" in page
