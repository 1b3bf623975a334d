"""Stored XSS: markup, script, links and template text typed by ALTs and staff are shown as text.

Every text field an ALT or a member of staff can write gets a payload, tagged
so that we can tell where it shows (S1 = the request's subject, ...). Then the
ALT pages, the staff pages, every admin list and change page, the calendar
feed and every email are read back: the payload is there, as text, never as
markup; no template tag is run; emails are plain text with no injected header.
A Playwright check (with the CSP switched off, so that escaping alone is
tested) sees no `alert` dialog on the pages that show the payloads.
"""

import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from playwright.sync_api import expect

from contacts.models import AltProfile, Notification, User
from contacts.tasks import deliver_pending_notifications
from onboarding.models import Choice, Placement, PlacementEvent, Question, Stage, Task, TaskCompletion
from safety.models import SafetyCheck
from safety.services import safety_check_fan_out
from support.models import CannedReply, Category, SupportRequest
from testing.forms import change_form_data
from testing.onboarding import CourseFactory, EnrolmentFactory, ModuleFactory, TaskFactory, make_quiz
from testing.support import upload
from training.forms import TrainingSessionAdminForm
from training.models import TrainingSession
from training.services import calendar_feed_create, training_session_save

from .conftest import client_as
from .pages import admin_urls

# What attackers type. FULL where the field is long enough, SHORT where it is not.
FULL = '"><img src=x onerror=alert(1)><script>alert(1)</script>{{7*7}}{% now "Y" %} javascript:alert(1)'
SHORT = '"><img src=x onerror=alert(1)>{{7*7}}'
PAYLOADS = {"FULL": FULL, "SHORT": SHORT, "LINK": "javascript:alert(1)"}


def _value(tag: str, max_length: int = 10_000) -> str:
    text = f"{tag} {FULL}"
    return text if len(text) <= max_length else f"{tag} {SHORT}"[:max_length]


def _tight(tag: str, max_length: int) -> str:
    """The markup alone, for fields too short for SHORT (phones: 32 characters)."""
    text = f'{tag}"><img src=x onerror=alert(1)>'
    assert len(text) <= max_length
    return text


# tag -> (what it is, who writes it)
FIELDS = {
    "S1": "support request subject (ALT)",
    "S2": "support request details (ALT)",
    "S3": "ALT's reply",
    "S4": "staff reply",
    "S5": "internal note (staff)",
    "S6": "attachment file name (ALT)",
    "S7": "canned reply title and text (staff)",
    "T1": "training session title (trainer)",
    "T2": "training session description (trainer)",
    "T3": "training session place (trainer)",
    "T4": "training session online link (trainer)",
    "T5": "reason for not attending (ALT)",
    "U1": "ALT's name (GRM, admin)",
    "U2": "staff member's name (superuser, admin)",
    "U3": "staff member's phone and family name (superuser, admin)",
    "B1": "branch name (superuser, admin)",
    "B2": "branch address (superuser, admin)",
    "B3": "branch phone and emergency phone (superuser, admin)",
    "B4": "branch name and address in Japanese (superuser, admin)",
    "P1": "ALT's home country (GRM, admin)",
    "O1": "course title and summary (GRM, SESPS)",
    "O2": "course module title (GRM, SESPS)",
    "O3": "course task title and text (GRM, SESPS)",
    "O8": "course task title and text in Japanese (GRM, SESPS)",
    "O4": "quiz question and explanation (GRM, SESPS)",
    "O5": "quiz answer (GRM, SESPS)",
    "O6": "note on a placement's stage change (GRM)",
    "O7": "reason a task was marked complete (branch staff)",
    "Y1": "safety check title and message (branch staff, admin)",
    "Y2": "note with an answer to a safety check (ALT)",
}


def write_payloads(*, tokyo, alt_tokyo, staff_tokyo, mc_tokyo, trainer_tokyo, grm) -> dict:
    """Write a payload into every field, through the ALT's forms and the admin where it matters."""
    # People and branch (admin).
    User.objects.filter(pk=alt_tokyo.pk).update(first_name=_value("U1", 150), last_name="Carter")
    AltProfile.objects.filter(user=alt_tokyo).update(country=_value("P1", 64))
    for person in (staff_tokyo, mc_tokyo, trainer_tokyo):
        User.objects.filter(pk=person.pk).update(
            first_name=_value("U2", 150), last_name=_value("U3", 150), phone=_tight("U3", 32)
        )
    tokyo.name_en, tokyo.address_en = _value("B1", 100), _value("B2", 255)
    tokyo.phone, tokyo.emergency_phone = _tight("B3", 32), _tight("B3", 32)
    tokyo.name_ja, tokyo.address_ja = _value("B4", 100), _value("B4", 255)
    tokyo.save()

    # The ALT asks for help, with a file, then replies (the ALT's own forms).
    alt = client_as(User.objects.get(pk=alt_tokyo.pk))
    response = alt.post(
        reverse("support:new"),
        {
            "category": Category.OTHER,
            "subject": _value("S1", 180) + "\r\nBcc: evil@example.net",
            "details": _value("S2") + "\nsecond line",
            "urgency": "NORMAL",
            "submit_token": str(uuid.uuid4()),
            "attachment": upload('S6 "><img src=x onerror=alert(1)>.pdf'),
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    support_request = SupportRequest.objects.get(alt=alt_tokyo)
    assert alt.post(reverse("support:reply", args=[support_request.pk]), {"body": _value("S3")}).status_code == 302

    # Staff answer in the admin: a canned reply offered there, a reply, an internal note.
    CannedReply.objects.create(category=Category.OTHER, branch=tokyo, title=_value("S7", 100), body=_value("S7"))
    staff = client_as(User.objects.get(pk=staff_tokyo.pk))
    url = reverse("admin:support_supportrequest_change", args=[support_request.pk])
    for visibility, tag in (("reply", "S4"), ("internal", "S5")):
        data = change_form_data(staff, url)
        data.update({"reply": _value(tag), "reply_visibility": visibility, "_save": "1"})
        assert staff.post(url, data).status_code == 302

    # A trainer's sessions: one required (everyone invited by email), one the ALT registers for.
    start = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    sessions = []
    for required in (True, False):
        session = TrainingSession(
            kind=TrainingSession.Kind.BRANCH_TRAINING,
            branch=tokyo,
            trainer=trainer_tokyo,
            title=_value("T1", 200),
            description=_value("T2"),
            place=_value("T3", 255),
            online_link='https://meet.example.com/T4"><svg/onload=alert(1)>',
            start=start + timedelta(hours=3 * len(sessions)),
            end=start + timedelta(hours=3 * len(sessions) + 2),
            registration_deadline=start - timedelta(days=1),
            capacity=10,
            required=required,
        )
        sessions.append(training_session_save(session=session))
    required_session, optional_session = sessions
    assert alt.post(reverse("training:register", args=[optional_session.pk])).status_code == 302
    response = alt.post(reverse("training:withdraw", args=[required_session.pk]), {"reason": _value("T5", 500)})
    assert response.status_code == 302
    # Onboarding: the course staff write, the placement's history, a task marked complete by staff.
    placement = Placement.objects.create(alt=alt_tokyo, stage=Stage.ARRIVED, branch=tokyo, owner=grm)
    PlacementEvent.objects.create(placement=placement, from_stage=Stage.PRE_DEPARTURE, to_stage=Stage.ARRIVED,
                                  by=grm, note=_value("O6"))  # fmt: skip
    course = CourseFactory(is_current=True, title_en=_value("O1", 200), summary_en=_value("O1"))
    module = ModuleFactory(course=course, order=1, title_en=_value("O2", 200))
    reading = TaskFactory(module=module, order=1, title_en=_value("O3", 200), body_en=_value("O3"),
                          title_ja=_value("O8", 200), body_ja=_value("O8"))  # fmt: skip
    video = TaskFactory(module=module, order=2, kind=Task.Kind.VIDEO, title_en="Video", body_en=_value("O3"),
                        video_url='https://video.example.com/O3"><svg/onload=alert(1)>')  # fmt: skip
    quiz = make_quiz(module=module, order=3, title=_value("O3", 200))
    Question.objects.filter(task=quiz).update(text_en=_value("O4"), explanation_en=_value("O4"))
    Choice.objects.filter(question__task=quiz).update(text_en=_value("O5", 300))
    enrolment = EnrolmentFactory(alt=alt_tokyo, course=course)
    TaskCompletion.objects.create(enrolment=enrolment, task=reading, course_version=course.version,
                                  marked_by=staff_tokyo, reason=_value("O7"))  # fmt: skip
    TaskCompletion.objects.create(enrolment=enrolment, task=video, course_version=course.version)  # the quiz opens
    # Safety: Tokyo's scheduler starts a check in the admin; the ALT answers "I need help" with a note.
    response = staff.post(
        reverse("admin:safety_safetycheck_add"),
        {"title": _value("Y1", 200), "message": _value("Y1", 5000), "reason": "EARTHQUAKE", "branches": [tokyo.pk],
         "title_ja": "", "message_ja": "", "_save": "1"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:500]
    check = SafetyCheck.objects.get()
    safety_check_fan_out(check_id=check.pk)  # the task, after commit
    response = alt.post(reverse("safety:answer", args=[check.pk]), {"status": "NEED_HELP", "note": _value("Y2", 1000)})
    assert response.status_code == 302

    deliver_pending_notifications()
    return {
        "request": support_request,
        "sessions": sessions,
        "feed": calendar_feed_create(alt=alt_tokyo),
        "tasks": [reading, video, quiz],
    }


@pytest.fixture
def authors(tokyo, alt_tokyo, staff_tokyo, mc_tokyo, trainer_tokyo, grm) -> dict:
    """The people (and branch) write_payloads writes as."""
    return {
        "tokyo": tokyo,
        "alt_tokyo": alt_tokyo,
        "staff_tokyo": staff_tokyo,
        "mc_tokyo": mc_tokyo,
        "trainer_tokyo": trainer_tokyo,
        "grm": grm,
    }


@pytest.fixture
def payloads(authors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return write_payloads(**authors)


# --- reading HTML back ----------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects what would run (inline scripts, event handlers, javascript: URLs) and the visible text."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.attributes: list[str] = []
        self._inline_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            self.attributes.append(value)
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in self.URL_ATTRIBUTES and re.sub(r"\s", "", value).lower().startswith(
                ("javascript:", "data:text")
            ):
                self.problems.append(f"<{tag} {name}={value[:40]!r}>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.problems.append("<img src=x>")
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}>")
        if tag == "script":
            kind = dict(attrs).get("type", "")
            if not dict(attrs).get("src") and kind != "application/json":
                self.problems.append("inline <script>")

    def handle_data(self, data):
        self.text.append(data)


def markup_problems(html: str) -> tuple[list[str], str, str]:
    """(problems, visible text, attribute values) of a page."""
    page = _Page()
    page.feed(html)
    return page.problems, "".join(page.text), "\n".join(page.attributes)


def _tags_in(text: str) -> set[str]:
    """The fields named in a text (their tag is there), whatever became of their payload."""
    return {tag for tag in FIELDS if re.search(rf"(?<!\w){tag}[ \"]", text)}


# The markup every payload carries right after its tag (FULL, SHORT, the file name, the links).
_MARKUP = r"(?:img src=x onerror=alert\(1\)|svg/onload=alert\(1\))"


def _as_typed(tags) -> re.Pattern:
    """A tag followed by its payload's markup, as typed (in an email, or in a page's text once parsed)."""
    return re.compile(rf"(?<!\w)({'|'.join(tags)}) ?\"><{_MARKUP}>")


def _escaped(tags) -> re.Pattern:
    """A tag followed by its payload's markup, escaped, as it must be in a page's source (a bare quote is
    harmless in text, and django-import-export's preview leaves it so)."""
    return re.compile(rf"(?<!\w)({'|'.join(tags)}) ?(?:&quot;|&#34;|&#x22;|\")&gt;&lt;{_MARKUP}&gt;")


ESCAPED = _escaped(FIELDS)
ESCAPED_FULL = escape(FULL)  # the whole of FULL, its template text not run
AS_TYPED = "FULL as typed"  # key in `shown`: pages that show the whole of FULL escaped


def _check_page(client, url, shown: dict, *, must_show=True) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    problems, text, attributes = markup_problems(html)
    assert not problems, (url, problems)
    # Where a field is shown, the source has its markup escaped: it fails if the field is missing or raw.
    tags = set(ESCAPED.findall(html))
    assert tags or not must_show, f"{url} shows no payload: the check would prove nothing"
    mentioned = _tags_in(text) | _tags_in(attributes)
    assert mentioned <= tags, f"{url} names {mentioned - tags} without their markup escaped"
    # Template text is not run.
    assert str(timezone.localdate().year) + " javascript" not in text
    if ESCAPED_FULL in html:
        shown.setdefault(AS_TYPED, set()).add(url)
    for tag in tags:
        shown.setdefault(tag, set()).add(url)


ALT_PAGES = ["dashboard", "support:list", "training:index", "contacts:support_team", "onboarding:index"]
# Checked for markup, but they show none of the fields above.
QUIET_ALT_PAGES = ["contacts:wellbeing"]


def test_payloads_are_shown_as_text_everywhere(payloads, alt_tokyo, trainer_tokyo, staff_tokyo, superuser):
    shown: dict[str, set] = {}
    request = payloads["request"]
    alt = client_as(User.objects.get(pk=alt_tokyo.pk))
    urls = [reverse(name) for name in ALT_PAGES]
    urls += [reverse("support:detail", args=[request.pk]), reverse("support:sent", args=[request.pk])]
    urls += [reverse("onboarding:task", args=[task.pk]) for task in payloads["tasks"]]
    for url in urls:
        _check_page(alt, url, shown)
    for name in QUIET_ALT_PAGES:
        _check_page(alt, reverse(name), shown, must_show=False)

    trainer = client_as(User.objects.get(pk=trainer_tokyo.pk))
    _check_page(trainer, reverse("training:staff_sessions"), shown)
    for session in payloads["sessions"]:
        _check_page(trainer, reverse("training:attendance", args=[session.pk]), shown)
    # The branch's staff see the request with its canned replies offered.
    _check_page(
        client_as(User.objects.get(pk=staff_tokyo.pk)),
        reverse("admin:support_supportrequest_change", args=[request.pk]),
        shown,
    )

    # Every admin list and every row's change and history page, as a superuser.
    root = client_as(superuser)
    admin_pages = admin_urls(every_row=True, views={"changelist", "change", "history"})
    assert len(admin_pages) > 20
    for url in admin_pages:
        _check_page(root, url, shown, must_show=False)

    # Every field was rendered, escaped, somewhere (so each was really tested); FULL whole, template text unrun.
    assert set(FIELDS) <= set(shown), set(FIELDS) - set(shown)
    assert shown.get(AS_TYPED)
    # ALT-visible fields reach the ALT's pages; the internal note never does.
    alt_seen = {
        tag
        for tag, where in shown.items()
        if tag in FIELDS and any(not u.startswith(("/admin", "/training/staff")) for u in where)
    }
    alt_fields = {
        "S1",
        "S2",
        "S3",
        "S4",
        "S6",
        "T1",
        "T3",
        "T4",
        "U2",
        "U3",
        "B1",
        "B3",
        "O1",
        "O3",
        "O4",
        "O5",
        "O8",
        "Y1",
    }
    assert alt_fields <= alt_seen
    assert not {"S5", "O6", "O7"} & alt_seen  # staff-only notes


def test_a_reflected_payload_in_the_query_string_is_text_too(alt_tokyo):
    page = client_as(alt_tokyo).get(reverse("support:new"), {"subject": FULL, "category": FULL}).content.decode()
    problems, _text, attributes = markup_problems(page)
    assert not problems
    assert FULL[:60] in attributes  # in the subject box, as its value
    assert escape(FULL[:60]) in page  # escaped


def test_emails_are_plain_text_as_typed_without_injected_headers(payloads, mailoutbox):
    rows = list(Notification.objects.all())
    with_payload = [row for row in rows if _tags_in(row.subject + row.body)]
    assert len(with_payload) >= 4
    kinds = {row.kind for row in with_payload}
    assert {"support.received", "support.reply", "training.invited"} <= kinds, kinds
    as_typed = _as_typed(FIELDS)
    for row in with_payload:
        text = row.subject + "\n" + row.body
        assert as_typed.search(text), (row.kind, text)  # the markup is there, as typed...
        assert "&lt;" not in text and "&quot;" not in text and "&#x27;" not in text, row.kind  # ...not escaped
        assert "\n" not in row.subject and "\r" not in row.subject
    assert any(FULL in row.body for row in with_payload)  # whole: its template text not run
    assert mailoutbox
    assert any(_as_typed(["S1"]).search(message.body) for message in mailoutbox)  # the subject with "Bcc:" in it
    for message in mailoutbox:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", None)
        assert len(message.recipients()) == 1
        assert "evil@example.net" not in message.recipients()
        assert "Bcc:" not in message.message().as_string().split("\n\n", 1)[0]


def test_the_calendar_feed_stays_one_event_per_session(payloads, client):
    from icalendar import Calendar

    response = client.get(reverse("training:calendar_feed", args=[payloads["feed"].token]))
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1  # the optional session; the required one was declined
    assert str(events[0]["summary"]).startswith("T1 ")
    assert not str(events[0]["url"]).lower().startswith("javascript")


def test_a_javascript_link_is_refused_by_the_session_form(tokyo, trainer_tokyo):
    for link in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<script>x"]:
        form = TrainingSessionAdminForm(data={"online_link": link})
        form.is_valid()
        assert "online_link" in form.errors, link


def test_a_javascript_link_stored_anyway_is_not_a_link(tokyo, trainer_tokyo, alt_tokyo):
    """A row from elsewhere (an import, the shell): the page shows it as text, never as a live link."""
    start = timezone.now() + timedelta(days=5)
    TrainingSession.objects.create(
        kind=TrainingSession.Kind.BRANCH_TRAINING,
        branch=tokyo,
        trainer=trainer_tokyo,
        title="Imported",
        online_link="javascript:alert(1)",
        start=start,
        end=start + timedelta(hours=1),
    )
    problems, text, _attributes = markup_problems(client_as(alt_tokyo).get(reverse("training:index")).content.decode())
    assert not problems
    assert "javascript:alert(1)" in text


# --- in a browser -----------------------------------------------------------------------------


@pytest.fixture
def browser_context_args(browser_context_args):
    # Without the Content Security Policy: escaping alone must keep the payloads inert.
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_alert_fires_in_a_browser(page, live_server, browser_login, authors):
    written = write_payloads(**authors)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    request = written["request"]
    visits = {
        "alt.tokyo@example.com": [
            "/",
            "/support/",
            f"/support/{request.pk}/",
            f"/support/{request.pk}/sent/",
            "/training/",
            "/contacts/",
        ],
        "staff.tokyo@example.com": [
            f"/admin/support/supportrequest/{request.pk}/change/",
            "/admin/support/supportrequest/",
        ],
        "trainer.tokyo@example.com": [
            "/training/staff/sessions/",
            f"/training/staff/sessions/{written['sessions'][0].pk}/attendance/",
            f"/admin/training/trainingsession/{written['sessions'][0].pk}/change/",
        ],
    }
    for email, paths in visits.items():
        page.context.clear_cookies()
        browser_login(page, email)
        for path in paths:
            page.goto(live_server.url + path)
            # (visible: the support list repeats some columns in a line only a phone shows)
            expect(page.get_by_text(re.compile(r"\b(S1|T1|S4|U2) ")).filter(visible=True).first).to_be_visible()
            assert page.locator("img[src='x'], svg[onload], [onerror]").count() == 0, path
            page.mouse.move(10, 10)
            page.mouse.move(400, 300)
    assert dialogs == []


def test_a_javascript_video_link_stored_anyway_is_not_a_link(alt_tokyo, tokyo):
    course = CourseFactory(is_current=True)
    module = ModuleFactory(course=course, order=1)
    task = TaskFactory(module=module, order=1, kind=Task.Kind.VIDEO, video_url="javascript:alert(1)")
    EnrolmentFactory(alt=alt_tokyo, course=course)
    page = client_as(alt_tokyo).get(reverse("onboarding:task", args=[task.pk]))
    assert page.status_code == 200
    assert not markup_problems(page.content.decode())[0]
    form_class = admin.site._registry[Task].get_form(_superuser_request(), None)
    form = form_class(data={"video_url": "javascript:alert(1)"})
    form.is_valid()
    assert "video_url" in form.errors


def _superuser_request():
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    return request


def test_an_imported_file_is_shown_as_text_in_the_preview_and_after(grm, tokyo, superuser):
    """GRM imports ALTs from a CSV (onboarding): the names, country and note typed in the file are text."""
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    row = {
        "email": "imported@example.com",
        "first_name": _value("I1", 150),
        "last_name": "Lima",
        "preferred_language": "en",
        "phone": "",
        "country": _value("I1", 64),
        "stage": "APPLIED",
        "branch": "",
        "owner": "grm@example.com",
        "departure_date": "2031-04-01",
        "arrival_date": "2031-04-02",
        "note": _value("I1"),
    }
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    client = client_as(grm)
    upload_file = SimpleUploadedFile("placements.csv", text.getvalue().encode(), content_type="text/csv")
    preview = client.post(
        reverse("admin:onboarding_placement_import"), {"resource": "0", "format": "0", "import_file": upload_file}
    )
    assert preview.status_code == 200
    problems, _shown, _attributes = markup_problems(preview.content.decode())
    assert not problems
    assert _escaped(["I1"]).search(preview.content.decode())
    form = preview.context["confirm_form"]
    done = client.post(
        reverse("admin:onboarding_placement_process_import"),
        {name: form.initial.get(name, "") for name in form.fields},
        follow=True,
    )
    assert done.status_code == 200
    imported = User.objects.get(email="imported@example.com")
    for url in (
        reverse("admin:contacts_user_change", args=[imported.pk]),
        reverse("admin:onboarding_placement_changelist"),
    ):
        html = client_as(superuser).get(url).content.decode()
        assert not markup_problems(html)[0], url
        assert _escaped(["I1"]).search(html), url
