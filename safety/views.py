"""The ALT's side: the answer page behind the email link (no login), the dashboard's buttons, the check-in.

Staff work in the admin (admin.py).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contacts.selectors import alt_profile_get_for_user

from . import selectors, services
from .forms import AnswerForm, CheckinForm
from .models import AnswerStatus, Channel, SafetyAnswer

# Re-rendered forms with bad input answer this (the input is kept).
INVALID = 422


def _private(response: HttpResponse) -> HttpResponse:
    # The link is the key: never kept by a browser or a proxy. (The site's Referrer-Policy, same-origin,
    # keeps it from other sites; "no-referrer" would make browsers send "Origin: null", which CSRF refuses.)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _closed(request, answer, status: int) -> HttpResponse:
    return render(request, "safety/closed.html", {"check": answer.safety_check}, status=status)


def _answer_page(request, answer, form, *, status: int = 200, history=()) -> HttpResponse:
    context = {
        "answer": answer,
        "check": answer.safety_check,
        "branch": answer.branch,
        "form": form,
        "action": request.path,
        "history": history,
    }
    return render(request, "safety/answer.html", context, status=status)


@require_http_methods(["GET", "POST"])
def link_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The page the email links to: answers without logging in, works without JavaScript, weighs little.

    In the language of the ALT the link was sent to, whoever opens it. A tap
    answers with the page itself (no redirect): one request on a bad connection.
    """
    if request.method == "GET":
        try:
            answer = selectors.safety_answer_for_link(token=token)
        except selectors.SafetyCheckClosed as closed:
            with translation.override(closed.answer.alt.preferred_language):
                return _private(_closed(request, closed.answer, 404))
        with translation.override(answer.alt.preferred_language):
            form = AnswerForm(initial={"note": answer.note})
            history = selectors.safety_answer_history(answer=answer) if answer.answered_at else []
            return _private(_answer_page(request, answer, form, history=history))
    check_id, alt_id = selectors.safety_link_read(token=token)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        answer = selectors.safety_answer_for_link(token=token)
        with translation.override(answer.alt.preferred_language):
            return _private(_answer_page(request, answer, form, status=INVALID))
    try:
        answer = services.safety_answer_record(
            check_id=check_id,
            alt_id=alt_id,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            channel=Channel.EMAIL_LINK,
        )
    except SafetyAnswer.DoesNotExist:
        raise Http404("No such link") from None
    except services.AnswerClosedError as closed:
        with translation.override(closed.answer.alt.preferred_language):
            return _private(_closed(request, closed.answer, 404))
    with translation.override(answer.alt.preferred_language):
        return _private(_answer_page(request, answer, AnswerForm(initial={"note": answer.note})))


@login_required
@require_POST
def dashboard_answer(request: HttpRequest, check_id: int) -> HttpResponse:
    """The buttons on the dashboard: the logged-in ALT answers for themselves."""
    answer = selectors.safety_answer_get_for_alt(user=request.user, check_id=check_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _answer_page(request, answer, form, status=INVALID)
    try:
        answer = services.safety_answer_record(
            check_id=check_id,
            alt_id=request.user.pk,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            channel=Channel.DASHBOARD,
        )
    except services.AnswerClosedError:
        return _closed(request, answer, 409)
    if answer.status == AnswerStatus.SAFE:
        messages.success(request, _("Thank you. Your branch can see that you are safe."))
    else:
        messages.warning(
            request,
            _(
                "Your branch has been told that you need help and will contact you. "
                "If you are in danger, call 119 (fire, ambulance) or 110 (police)."
            ),
        )
    return redirect("dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """The well-being check-in: three scores, a comment, and "contact me"; answered once."""
    alt_profile_get_for_user(user=request.user)
    checkin = selectors.wellbeing_checkin_get_for_alt(user=request.user, pk=pk)
    status = 200
    form = None
    if checkin.answered_at is None:
        if request.method == "POST":
            form = CheckinForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.wellbeing_checkin_answer(
                        checkin=checkin,
                        work=data["work"],
                        daily_life=data["daily_life"],
                        health=data["health"],
                        comment=data["comment"],
                        contact_me=data["contact_me"],
                    )
                except services.CheckinAnsweredError as error:
                    messages.info(request, error.messages[0])
                return redirect("safety:checkin", pk=checkin.pk)
            status = INVALID
        else:
            form = CheckinForm()
    elif request.method == "POST":
        messages.info(request, _("You have already answered this check-in. Thank you."))
        return redirect("safety:checkin", pk=checkin.pk)
    return render(request, "safety/checkin.html", {"checkin": checkin, "form": form}, status=status)
