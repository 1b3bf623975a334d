"""The pages the screen and accessibility tests walk, on the demo data (seed_demo)."""

from pathlib import Path

from django.contrib import admin
from django.urls import reverse

DEMO_PASSWORD = "portal-demo-2026"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The admin's main lists (axe-core, and the phone).
ADMIN_MAIN_LISTS = [
    "admin:support_supportrequest_changelist",
    "admin:onboarding_placement_changelist",
    "admin:training_trainingsession_changelist",
    "admin:onboarding_enrolment_changelist",
    "admin:contacts_user_changelist",
]


def alt_pages(email: str = "alt.tokyo@example.com") -> dict[str, str]:
    """Every ALT page of the demo's Tokyo ALT, by a short name (for the screenshots)."""
    from onboarding.models import Task
    from safety.links import answer_token
    from safety.models import AnswerStatus, SafetyAnswer
    from support.models import SupportRequest

    support_request = SupportRequest.objects.filter(alt__email=email).order_by("-pk").first()
    task = Task.objects.filter(kind=Task.Kind.QUIZ, is_active=True).order_by("pk").first()
    pages = {
        "dashboard": "/",
        "support-list": reverse("support:list"),
        "support-new": reverse("support:new"),
        "support-detail": reverse("support:detail", args=[support_request.pk]),
        "support-sent": reverse("support:sent", args=[support_request.pk]),
        "support-cards": reverse("support:cards"),
        "training": reverse("training:index"),
        "training-past": reverse("training:past"),
        "onboarding": reverse("onboarding:index"),
        "onboarding-task": reverse("onboarding:task", args=[task.pk]),
        "contacts": reverse("contacts:support_team"),
        "profile": reverse("contacts:profile"),
        "wellbeing": reverse("contacts:wellbeing"),
    }
    unanswered = SafetyAnswer.objects.filter(alt__email=email, status=AnswerStatus.NO_ANSWER).first()
    if unanswered is not None:
        # The page the safety check's email links to (no login needed; the ALT is logged in anyway).
        token = answer_token(check_id=unanswered.safety_check_id, alt_id=unanswered.alt_id)
        pages["safety-answer"] = reverse("safety:link", args=[token])
    return pages


def admin_changelists() -> dict[str, str]:
    """The changelist of every registered ModelAdmin (a superuser sees them all)."""
    return {
        f"{model._meta.app_label}-{model._meta.model_name}": reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        for model in admin.site._registry
    }


def screenshot_dir(pytestconfig, name: str) -> Path:
    """Under pytest-playwright's output folder (--output, test-results/ by default; ignored by git)."""
    folder = Path(pytestconfig.getoption("--output")) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sideways_overflow(page) -> dict:
    """How far the page scrolls sideways, and the elements that reach past the viewport's right edge
    (inside a box that scrolls too: a table cut at the edge of the phone is no better)."""
    return page.evaluate(
        """() => {
            const root = document.documentElement;
            const width = root.clientWidth;
            const past = [];
            for (const el of document.querySelectorAll('body *')) {
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1) {
                    past.push(`${el.tagName}#${el.id}.${[...el.classList].join('.')} ${Math.round(box.right)}`);
                }
            }
            return {scroll: root.scrollWidth - root.clientWidth, past: past.slice(0, 5)};
        }"""
    )


def result_table_overflow(page) -> dict:
    """How far the admin's result table reaches past what shows of it (the viewport, or its own box
    when that box scrolls), the page's sideways scroll, and the columns cut off."""
    return page.evaluate(
        """() => {
            const root = document.documentElement;
            const table = document.querySelector('#result_list');
            if (!table) return {scroll: root.scrollWidth - root.clientWidth, table: 0, past: []};
            const box = table.closest('.results') || root;
            const right = Math.min(root.clientWidth, box.getBoundingClientRect().right);
            const past = [...table.querySelectorAll('thead th')]
                .filter(th => th.getBoundingClientRect().right > right + 1)
                .map(th => th.innerText.trim() || th.className);
            return {
                scroll: root.scrollWidth - root.clientWidth,
                table: Math.max(0, Math.round(table.getBoundingClientRect().right - right)),
                past: past,
            };
        }"""
    )


AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's violations of the page, of the given impacts, one line each (rule, impact, where)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE)  # the context bypasses the CSP (bypass_csp) for this script
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} {node.get('failureSummary', '')[:160]!r}"
        for violation in results["violations"]
        if violation["impact"] in impacts
        for node in violation["nodes"][:3]
    ]


def wrapped_phone_numbers(page) -> list[str]:
    """The phone numbers (tel: links) of the page that break over more than one line."""
    return page.evaluate(
        """() => [...document.querySelectorAll('a[href^="tel:"]')]
            .filter(a => a.getClientRects().length > 1)
            .map(a => a.innerText)"""
    )
