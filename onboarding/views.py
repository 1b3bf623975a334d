"""The ALT's onboarding pages: placement timeline, course, tasks, quiz, certificate, arrival checklist.

Everything starts from the logged-in ALT: another ALT's rows are never reached (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contacts.people_cache import render_alt_page
from contacts.selectors import alt_profile_get_for_user
from core.formats import format_date
from core.spreadsheet import csv_response

from . import progress_report, selectors, services
from .certificate import certificate_pdf as certificate_pdf_bytes
from .forms import AcknowledgementForm, ChecklistTickForm, ProgressReportFilterForm, QuizForm
from .models import Stage, Task


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)

    def build_context():
        stage = selectors.placement_stage_for_alt(user=request.user)
        enrolment = selectors.enrolment_for_alt(user=request.user)
        progress = (
            selectors.course_progress(enrolment=enrolment, departure_date=profile.departure_date) if enrolment else None
        )
        return {
            "profile": profile,
            "timeline": selectors.placement_timeline(stage=stage) if stage else None,
            "helper": selectors.who_to_ask(profile=profile, stage=stage),
            "progress": progress,
            "course_waiting": progress is None and stage in (Stage.CONFIRMED, Stage.PRE_DEPARTURE),
            "checklist": selectors.checklist_for_alt(user=request.user) if stage == Stage.ARRIVED else None,
        }

    return render_alt_page(request, "onboarding/index.jinja", "onboarding", build_context)


def _task_context(page, *, quiz=None, form=None) -> dict:
    task = page.state.task
    if task.is_quiz:
        quiz = quiz or selectors.quiz_status(enrolment=page.enrolment, task=task)
        # A failed attempt's answers stay on the form; which were wrong is not shown.
        if form is None:
            form = QuizForm(questions=quiz.questions, number=quiz.number, initial=quiz.initial())
    elif task.kind == Task.Kind.ACKNOWLEDGEMENT and form is None:
        form = AcknowledgementForm()
    return {
        "page": page,
        "task": task,
        "state": page.state,
        "progress": page.progress,
        "quiz": quiz,
        "form": form,
        "next_state": page.progress.after(task.pk),
    }


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.task_get_for_alt(user=request.user, pk=pk)
    return render(request, "onboarding/task.jinja", _task_context(page))


def _after_completion(page) -> HttpResponse:
    following = page.progress.after(page.state.task.pk)
    if following is not None:
        return redirect("onboarding:task", pk=following.task.pk)
    return redirect("onboarding:index")


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.task_get_for_alt(user=request.user, pk=pk)
    task = page.state.task
    if task.kind == Task.Kind.ACKNOWLEDGEMENT:
        form = AcknowledgementForm(request.POST)
        if not form.is_valid():
            return render(request, "onboarding/task.jinja", _task_context(page, form=form), status=422)
    try:
        services.task_complete(enrolment=page.enrolment, task=task)
    except services.TaskRefused as refused:
        messages.error(request, refused.messages[0])
        return render(request, "onboarding/task.jinja", _task_context(page), status=409)
    messages.success(request, _("“%(task)s” is done.") % {"task": task.title})
    page = selectors.task_get_for_alt(user=request.user, pk=pk)
    if page.progress.complete:
        return redirect("onboarding:certificate")
    return _after_completion(page)


@login_required
@require_POST
def quiz_submit(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.task_get_for_alt(user=request.user, pk=pk)
    task = page.state.task
    if not task.is_quiz:
        messages.error(request, _("This task is not a quiz."))
        return render(request, "onboarding/task.jinja", _task_context(page), status=409)
    quiz = selectors.quiz_status(enrolment=page.enrolment, task=task)
    posted = request.POST.get("attempt", "")
    number = int(posted) if posted.isdigit() else 0
    problem = services.quiz_attempt_problem(done=page.state.done, status=quiz, number=number)
    if problem is not None:
        messages.error(request, problem.messages[0])
        return render(request, "onboarding/task.jinja", _task_context(page, quiz=quiz), status=409)
    form = QuizForm(request.POST, questions=quiz.questions, number=quiz.number)
    if not form.is_valid():
        return render(request, "onboarding/task.jinja", _task_context(page, quiz=quiz, form=form), status=422)
    try:
        attempt = services.quiz_submit(enrolment=page.enrolment, task=task, number=number, answers=form.answers())
    except services.QuizRefused as refused:  # another window sent its answers in between
        messages.error(request, refused.messages[0])
        page = selectors.task_get_for_alt(user=request.user, pk=pk)
        return render(request, "onboarding/task.jinja", _task_context(page), status=409)
    if attempt.passed:
        messages.success(request, _("You passed with %(score)s%%.") % {"score": attempt.score})
        page = selectors.task_get_for_alt(user=request.user, pk=pk)
        if page.progress.complete:
            return redirect("onboarding:certificate")
        return _after_completion(page)
    # The task page shows the score and the answers given again, from the attempt just saved.
    return redirect("onboarding:task", pk=task.pk)


def _certificate_context(progress, name: str, *, pdf_unavailable: bool = False) -> dict:
    return {
        "progress": progress,
        "name": name,
        "completed_on": format_date(progress.completed_on),
        "pdf_unavailable": pdf_unavailable,
    }


@login_required
@require_GET
def certificate(request: HttpRequest) -> HttpResponse:
    progress = selectors.certificate_for_alt(user=request.user)
    return render(request, "onboarding/certificate.jinja", _certificate_context(progress, request.user.display_name))


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    progress = selectors.certificate_get_for_user(user=request.user, pk=pk)
    name = progress.enrolment.alt.display_name
    body = certificate_pdf_bytes(progress=progress, name=name)
    if body is None:
        # No font for this text on the server: the printable page says so, rather than an error.
        context = _certificate_context(progress, name, pdf_unavailable=True)
        return render(request, "onboarding/certificate.jinja", context)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{progress.certificate_number}.pdf"'
    return response


# --- staff: the progress report ---------------------------------------------------------


def _report_form(request: HttpRequest) -> ProgressReportFilterForm:
    if progress_report.progress_report_scope(user=request.user) is None:
        raise Http404("Not a trainer")
    branches = progress_report.progress_report_branches(user=request.user)
    return ProgressReportFilterForm(request.GET or None, branches=branches)


@login_required
@require_GET
def staff_progress(request: HttpRequest) -> HttpResponse:
    form = _report_form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "onboarding/staff/progress.html", {"form": form, "report": None}, status=400)
    report = progress_report.progress_report(user=request.user, page=request.GET.get("page"), **form.filters())
    context = {
        "form": form,
        "report": report,
        "query": request.GET.urlencode() if request.GET else "",
        "behind_days": progress_report.BEHIND_WITHIN_DAYS,
        "behind_percent": progress_report.BEHIND_BELOW_PERCENT,
    }
    return render(request, "onboarding/staff/progress.html", context)


@login_required
@require_GET
def staff_progress_csv(request: HttpRequest) -> HttpResponse:
    form = _report_form(request)
    if (form.is_bound and not form.is_valid()) or form.filters()["course"] is None:
        return render(request, "onboarding/staff/progress.html", {"form": form, "report": None}, status=400)
    report = progress_report.progress_report_all(user=request.user, **form.filters())
    status_labels = {
        "complete": _("Complete"),
        "behind": _("Behind"),
        "departed": _("Departed without finishing"),
        "on_track": _("On track"),
    }
    header = [_("Email"), _("Name"), _("Branch"), _("Departure"), _("Status"), _("Tasks done"), _("Tasks"),
              _("Percent"), *(m.title for m in report.modules)]  # fmt: skip
    rows = (
        [
            row.alt.email,
            row.alt.get_full_name(),
            row.branch.name if row.branch else "",
            row.departure_date.isoformat() if row.departure_date else "",
            status_labels[row.status],
            row.done,
            row.total,
            row.percent,
            *(f"{cell.done}/{cell.total}" for cell in row.modules),
        ]
        for row in report.rows
    )
    stamp = timezone.localdate().isoformat()
    return csv_response(filename=f"elearning-report-{report.course.code}-{stamp}.csv", header=header, rows=rows)


@login_required
@require_POST
def checklist_tick(request: HttpRequest, kind: str) -> HttpResponse:
    alt_profile_get_for_user(user=request.user)
    form = ChecklistTickForm(request.POST)
    form.is_valid()  # one checkbox: absent means "not done"
    try:
        services.checklist_item_set(alt=request.user, kind=kind, done=form.cleaned_data.get("done", False))
    except services.ChecklistClosed:
        raise Http404("No such checklist step") from None
    # Ticked from the dashboard ("your request is resolved: mark the step done?"): back there.
    following = request.POST.get("next", "")
    if following and url_has_allowed_host_and_scheme(
        following, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(following)
    return redirect(reverse("onboarding:index") + "#checklist")
