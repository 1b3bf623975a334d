"""Staff land on their worklist at `/`: a section per role, each line a count and a link to the admin list
that shows exactly those rows, in the person's branches only; the same counts in the admin's navigation."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from contacts.models import StaffRole
from interac_portal.worklist import worklist_sections
from testing.contacts import make_staff

from .worklist_world import build_world, everyone, make_all_roles

PASSWORD = "correct-horse-battery"


@pytest.fixture
def world(request, tokyo, osaka, grm, sesps, applicant):
    return build_world(tokyo=tokyo, osaka=osaka, people=everyone(request), grm=grm, applicant=applicant)


def sections_of(client) -> dict:
    """{section: {line: count}} as the page shows them."""
    page = client.get("/").content.decode()
    found = {}
    for section in re.findall(r'<section class="card[^"]*worklist-section".*?</section>', page, re.S):
        key = re.search(r'data-section="([^"]+)"', section).group(1)
        found[key] = {
            line: int(count)
            for line, count in re.findall(r'data-line="([^"]+)">\s*<a[^>]*>.*?data-count="(\d+)"', section, re.S)
        }
    return found


def line_url(client, key: str) -> str:
    page = client.get("/").content.decode()
    return unescape(re.search(rf'data-line="{key}">\s*<a [^>]*href="([^"]+)"', page).group(1))


def admin_rows(client, url: str) -> list[str]:
    """The text of each row of an admin list."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    if 'id="result_list"' not in page:
        return []
    body = page.split('id="result_list"')[1].split("</tbody>")[0].split("<tbody>")[1]
    return [unescape(re.sub(r"<[^>]+>", " ", row)) for row in re.findall(r"<tr.*?</tr>", body, re.S)]


def assert_lists_exactly(rows: list[str], expected: list[str]):
    assert len(rows) == len(expected), (rows, expected)
    for name in expected:
        assert sum(name in row for row in rows) == 1, (name, rows)


# --- landing -----------------------------------------------------------------------------------


def test_staff_who_log_in_land_on_their_worklist_naming_their_requests(client, world, mc_tokyo):
    response = client.post(reverse("account_login"), {"login": mc_tokyo.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    page = response.content.decode()
    assert "My worklist" in page
    [reference] = world.branches["tokyo"].assigned_mc
    assert reference.startswith("SR-") and reference in page
    assert reverse("admin:support_supportrequest_change", args=[_pk(reference)]) in page


def _pk(reference):
    from support.models import SupportRequest

    return SupportRequest.objects.get(reference=reference).pk


def test_the_requests_assigned_to_me_come_by_due_time(client_for, world, staff_tokyo):
    page = client_for(staff_tokyo).get("/").content.decode()
    rows = world.branches["tokyo"]
    late, quiet, recent = rows.assigned_scheduler
    # The overdue one first (due two hours ago), then the two due tomorrow in the order they were made.
    assert page.index(late) < page.index(quiet) < page.index(recent)
    assert "Overdue" in page.split(late)[1].split(quiet)[0]
    assert "Resolved" not in page and rows.elsewhere[5] not in page  # the resolved request is not named


# --- who sees which section ----------------------------------------------------------------------

EXPECTED = {
    "mc_tokyo": {
        "support": {"assigned": 1, "unassigned": 2, "overdue": 1, "waiting_long": 1},
        "my_alts": {"handovers": 1, "checklist": None},
    },
    "staff_tokyo": {"support": {"assigned": 3, "unassigned": 1, "overdue": 1, "waiting_long": 1}},
    "trainer_tokyo": {"training": {"sessions_today": 1, "sessions_next_days": 1, "attendance_not_taken": 1}},
    "grm": {
        "support": {"assigned": 1},
        "grm": {"applicants_questions": 1, "placements_stuck": 1, "placements_by_stage": None},
    },
    "sesps": {"sesps": {"orientation_missing": 1, "fill_flagship": 0, "fill_alternate": 0}},
}


@pytest.mark.parametrize("person", list(EXPECTED))
def test_each_role_sees_its_own_sections(request, client_for, world, person):
    found = sections_of(client_for(request.getfixturevalue(person)))
    expected = EXPECTED[person]
    assert list(found) == list(expected)
    for section, lines in expected.items():
        assert list(found[section]) == list(lines)
        for line, count in lines.items():
            if count is not None:
                assert found[section][line] == count, (section, line)
    if person == "mc_tokyo":
        assert found["my_alts"]["checklist"] == world.branches["tokyo"].checklist_count > 0


def test_a_person_with_several_roles_sees_each_of_their_sections(client_for, world, tokyo):
    person = make_all_roles(tokyo=tokyo)
    assert list(sections_of(client_for(person))) == ["support", "my_alts", "training", "grm", "sesps"]


def test_a_trainer_who_is_also_mc_elsewhere_sees_both(client_for, world, trainer_osaka, tokyo):
    from contacts.services import staff_role_grant

    staff_role_grant(user=trainer_osaka, role=StaffRole.Role.MC, branch=tokyo)
    found = sections_of(client_for(trainer_osaka))
    assert list(found) == ["support", "my_alts", "training"]
    assert found["support"]["unassigned"] == 2  # Tokyo's queue, where they are MC
    assert found["training"]["sessions_today"] == 1  # Osaka's sessions, where they train


@pytest.mark.parametrize("person", ["mc_tokyo", "staff_tokyo", "trainer_tokyo"])
def test_a_branch_never_sees_another_branchs_rows(request, client_for, world, person):
    page = client_for(request.getfixturevalue(person)).get("/").content.decode()
    assert not [name for name in world.branches["osaka"].elsewhere if name in page]
    osaka_side = sections_of(client_for(request.getfixturevalue(person.replace("tokyo", "osaka"))))
    assert osaka_side == sections_of(client_for(request.getfixturevalue(person)))  # twins: the same counts


def test_staff_without_a_role_and_people_without_a_profile_are_told_so(client_for, world, superuser, outsider):
    page = client_for(superuser).get("/").content.decode()
    assert "Nothing is waiting for you here" in page and reverse("admin:index") in page
    page = client_for(outsider).get("/").content.decode()
    assert "not linked to an ALT profile or a staff role" in page and "My worklist" not in page


def test_the_alt_still_gets_their_dashboard(client_for, world, alt_tokyo):
    page = client_for(alt_tokyo).get("/").content.decode()
    assert "My support team" in page and "My worklist" not in page


# --- every link lists exactly the rows of its line ----------------------------------------------------


def _expected_rows(world, person: str) -> dict:
    rows = world.branches["tokyo"]
    return {
        "mc_tokyo": {
            "assigned": rows.assigned_mc,
            "unassigned": rows.unassigned,
            "overdue": rows.overdue,
            "waiting_long": rows.waiting_long,
            "handovers": rows.handovers,
            "checklist": [rows.checklist_alt] * rows.checklist_count,
        },
        "staff_tokyo": {
            "assigned": rows.assigned_scheduler,
            "unassigned": rows.unassigned_for_scheduler,
            "overdue": rows.overdue,
            "waiting_long": rows.waiting_long,
        },
        "trainer_tokyo": {
            "sessions_today": rows.sessions_today,
            "sessions_next_days": rows.sessions_next_days,
            "attendance_not_taken": rows.not_taken,
        },
        "grm": {
            "assigned": world.grm_assigned,
            "applicants_questions": world.grm_desk,
            "placements_stuck": world.stuck,
        },
        "sesps": {"orientation_missing": world.orientation_missing, "fill_flagship": world.flagship_sessions},
    }[person]


@pytest.mark.parametrize("person", list(EXPECTED))
def test_each_line_links_to_the_admin_list_of_exactly_its_rows(request, client_for, world, person):
    client = client_for(request.getfixturevalue(person))
    for line, expected in _expected_rows(world, person).items():
        rows = admin_rows(client, line_url(client, line))
        if line == "checklist":
            assert len(rows) == len(expected) and all(expected[0] in row and "Past due" in row for row in rows)
        else:
            assert_lists_exactly(rows, expected)


def test_placements_by_stage_link_each_stage(client_for, world, grm):
    client = client_for(grm)
    page = client.get("/").content.decode()
    stage_links = {
        label: unescape(url)
        for url, label in re.findall(
            r'<a href="(/admin/onboarding/placement/\?stage__exact=[^"]+)"[^>]*>([^<]+)</a>', page
        )
    }
    assert list(stage_links)[:4] == ["Applied", "Interviewed", "Offered", "Placement"]
    counts = dict(re.findall(r">([A-Za-z-]+)</a> <span[^>]*>(\d+)</span>", page))
    for label, url in stage_links.items():
        assert len(admin_rows(client, url)) == int(counts[label]), label
    assert counts["Placement"] == "1" and counts["Confirmed"] == "2" and counts["Arrived"] == "2"


# --- query counts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 6])
def test_the_worklist_costs_the_same_queries_whatever_the_data(
    request, client_for, tokyo, osaka, grm, sesps, applicant, extra, django_assert_max_num_queries
):
    build_world(tokyo=tokyo, osaka=osaka, people=everyone(request), grm=grm, applicant=applicant, extra=extra)
    person = make_all_roles(tokyo=tokyo)
    client = client_for(person)
    found = sections_of(client)
    assert found["support"]["unassigned"] == 2 * (1 + extra)  # the data is there, and grows
    assert found["training"]["sessions_today"] == 1 + extra
    with django_assert_max_num_queries(15):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("worklist_nav")).status_code == 200


# --- the admin's navigation ---------------------------------------------------------------------------------


def test_the_admin_pages_load_the_counts_after_the_page_with_a_link_without_javascript(client_for, world, mc_tokyo):
    page = client_for(mc_tokyo).get(reverse("admin:index")).content.decode()
    slot = page.split('class="worklist-nav"')[1].split("</div>")[0]
    assert f'hx-get="{reverse("worklist_nav")}"' in slot and 'hx-trigger="load"' in slot
    assert 'href="/"' in slot and "My worklist" in slot
    assert page.count("vendor/htmx/htmx.min.js") == 1
    assert "<script>" not in page  # nothing inline: the Content-Security-Policy allows 'self' only


def test_the_navigation_fragment_has_the_counts_and_their_links(client_for, world, mc_tokyo):
    response = client_for(mc_tokyo).get(reverse("worklist_nav"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    fragment = response.content.decode()
    assert "<html" not in fragment
    links = dict(re.findall(r'href="([^"]+)"[^>]*data-line="([^"]+)">', fragment))
    assert set(links.values()) == {"assigned", "unassigned", "overdue", "waiting_long", "handovers", "checklist"}
    assert "Unassigned <strong>2</strong>" in fragment and "Handovers <strong>1</strong>" in fragment
    assert "/admin/support/supportrequest/?assignee=me&amp;state=open" in fragment


def test_the_navigation_leaves_out_what_is_empty(client_for, world, sesps):
    from training.models import Registration, TrainingSession

    fragment = client_for(sesps).get(reverse("worklist_nav")).content.decode()
    assert "Not registered for orientation <strong>1</strong>" in fragment
    past = TrainingSession.objects.get(title="Orientation (last intake)")
    Registration.objects.create(session=past, alt=world_alt("alt.osaka@example.com"), status="ATTENDED")
    fragment = client_for(sesps).get(reverse("worklist_nav")).content.decode()
    assert "Not registered" not in fragment and "nothing waiting" in fragment


def world_alt(email):
    from contacts.models import User

    return User.objects.get(email=email)


@pytest.mark.parametrize("who", ["alt_tokyo", "outsider", None])
def test_the_navigation_fragment_is_for_staff_only(request, client_for, world, who):
    user = request.getfixturevalue(who) if who else None
    assert client_for(user).get(reverse("worklist_nav")).status_code == 404
    assert client_for(user).post(reverse("worklist_nav")).status_code in (403, 405)


# --- Japanese --------------------------------------------------------------------------------------------


def test_the_worklist_reads_naturally_in_japanese(client_for, world, mc_tokyo, grm):
    mc_tokyo.preferred_language = "ja"
    mc_tokyo.save()
    client = client_for(mc_tokyo)
    client.post(reverse("contacts:set_language"), {"language": "ja", "next": "/"})
    page = client.get("/").content.decode()
    for text in ["業務リスト", "自分が担当の依頼（期限の近い順）", "支店の未割り当ての依頼", "支店の期限超過の依頼"]:
        assert text in page
    assert "ALTの返答待ちが5日を超えた依頼" in page and "確認待ちの引き継ぎ" in page and "担当ALT" in page
    assert "Requests assigned to me" not in page
    fragment = client.get(reverse("worklist_nav")).content.decode()
    assert "業務リスト" in fragment and "未割り当て <strong>2</strong>" in fragment


def test_every_line_has_a_japanese_label(world, tokyo, client_for):
    person = make_all_roles(tokyo=tokyo)
    with translation.override("ja"):
        sections = worklist_sections(user=person)
        labels = [str(s.title) for s in sections]
        labels += [str(line.label) for s in sections for line in s.lines]
        labels += [str(line.nav_label) for s in sections for line in s.lines if line.nav_label]
    untranslated = [label for label in labels if re.fullmatch(r"[\x00-\x7f]+", label)]
    assert not untranslated


def test_a_scheduler_holding_no_support_permission_gets_no_support_section(client_for, world, tokyo):
    from django.contrib.auth.models import Group

    person = make_staff(role=StaffRole.Role.SCHEDULER, branch=tokyo, email="no.perm@example.com")
    Group.objects.get(name="Schedulers").permissions.remove(
        *Group.objects.get(name="Schedulers").permissions.filter(codename="view_supportrequest")
    )
    assert "support" not in sections_of(client_for(person))


# --- the demo ------------------------------------------------------------------------------------------------

DEMO_LINES = {
    "mc.tokyo@example.com": ["assigned", "unassigned", "overdue", "waiting_long", "handovers", "checklist"],
    "staff.tokyo@example.com": ["assigned", "unassigned", "overdue", "waiting_long"],
    "trainer.tokyo@example.com": ["sessions_today", "sessions_next_days", "attendance_not_taken"],
    "grm@example.com": ["assigned", "applicants_questions", "placements_stuck", "placements_by_stage"],
    "sesps@example.com": ["orientation_missing", "fill_flagship"],
}


def test_the_demo_gives_every_demo_account_something_on_each_line(db, settings, client_for):
    from django.core.management import call_command

    from contacts.models import User

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    for email, lines in DEMO_LINES.items():
        found = sections_of(client_for(User.objects.get(email=email)))
        counts = {line: count for section in found.values() for line, count in section.items()}
        assert all(counts[line] > 0 for line in lines), (email, counts)


def test_a_trainer_handed_a_request_finds_it_on_their_worklist(client_for, world, trainer_tokyo, alt_tokyo):
    from support.models import Status
    from testing.support import SupportRequestFactory

    handed = SupportRequestFactory(alt=alt_tokyo, assignee=trainer_tokyo, status=Status.IN_PROGRESS)
    client = client_for(trainer_tokyo)
    found = sections_of(client)
    assert list(found) == ["support", "training"] and found["support"] == {"assigned": 1}
    assert handed.reference in client.get("/").content.decode()
    assert_lists_exactly(admin_rows(client, line_url(client, "assigned")), [handed.reference])


def test_the_staff_navigation_marks_the_worklist_as_the_current_page(client_for, staff_tokyo):
    page = client_for(staff_tokyo).get("/").content.decode()
    assert '<a class="nav-link active" href="/" aria-current="page">Home</a>' in page
    assert page.count('aria-current="page"') == 1
    admin_link = re.search(r'<a class="nav-link[^>]*>Administration</a>', page)[0]
    assert "aria-current" not in admin_link
