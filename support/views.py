"""The ALT's support pages. Staff work in the admin; they reach files through `attachment_download`."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.people_cache import kept_page_for_alt, render_alt_page
from contacts.selectors import alt_profile_get_for_user
from core.jinja2 import render_part, with_csrf

from . import selectors, services
from .forms import ReplyForm, SeenForm, SupportRequestForm, VisitNewTimeForm
from .help import category_help
from .models import APPLICANT_CATEGORIES, BRANCH_CATEGORIES
from .nav import new_replies_counted

# Re-rendered forms with bad input answer this (the input is kept).
INVALID = 422


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        raise Http404("No such page") from None

    def build_context():
        listing = selectors.support_requests_for_alt(user=request.user, page=page)
        if listing.new_reply_count is not None:
            new_replies_counted(request, listing.new_reply_count)
        return {"profile": profile, "listing": listing, "status_labels": selectors.status_labels_for_alt()}

    return render_alt_page(request, "support/list.jinja", f"support-list:{page}", build_context)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    # Before a branch is confirmed the ALT asks GRM, about the questions of that phase.
    categories = BRANCH_CATEGORIES if profile.branch_id else APPLICANT_CATEGORIES
    status = 200
    if request.method == "POST":
        form = SupportRequestForm(request.POST, request.FILES, categories=categories)
        if form.is_valid():
            data = form.cleaned_data
            try:
                support_request, _created = services.support_request_create(
                    alt=request.user,
                    profile=profile,
                    category=data["category"],
                    subject=data["subject"],
                    details=data["details"],
                    urgency=data["urgency"],
                    submit_token=data["submit_token"],
                    upload=data.get("attachment"),
                    checked_file=form.checked_file,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("support:sent", pk=support_request.pk)
        status = INVALID
    else:
        form = SupportRequestForm(
            initial=SupportRequestForm.initial_for(request.GET, categories=categories), categories=categories
        )
    context = {"branch": profile.branch, "form": form, "category_help": category_help(categories=categories)}
    return render(request, "support/new.jinja", context, status=status)


@login_required
@require_GET
def request_sent(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.support_request_get_for_alt(user=request.user, pk=pk)
    alert = getattr(support_request, "urgent_alert", None)
    return render(request, "support/sent.jinja", {"support_request": support_request, "alert": alert})


def _detail_content(request, pk: int, reply_form, new_time_form=None, visit_pk=None) -> tuple[str, str, bool]:
    """The request's page content, its title and whether it shows a new reply; 404 for anyone else's."""
    support_request = selectors.support_request_page_for_alt(user=request.user, pk=pk)
    visits = selectors.visits_for_request(support_request=support_request) if support_request.has_visits else []
    context = {
        "support_request": support_request,
        "status_label": support_request.status_for_alt,
        "thread": selectors.support_thread_for_alt(support_request=support_request),
        "reply_form": reply_form,
        "visits": visits,
        "new_time_form": new_time_form or VisitNewTimeForm(),
        "new_time_visit_pk": visit_pk,
    }
    body = render_part(request, "support/_detail_body.jinja", context)
    return body, support_request.reference, support_request.has_new_reply_for_alt


def _detail_page(request, content: tuple[str, str, bool], status=200) -> HttpResponse:
    body, reference, has_new_reply = content
    context = {"body": with_csrf(request, body), "reference": reference, "has_new_reply": has_new_reply}
    return render(request, "support/detail.jinja", context, status=status)


def _detail(request, pk: int, reply_form, status=200, new_time_form=None, visit_pk=None) -> HttpResponse:
    return _detail_page(request, _detail_content(request, pk, reply_form, new_time_form, visit_pk), status)


# The reply form's token in a kept page: each page gets a new one (one per rendered form).
_TOKEN_MARK = "00000000-0000-0000-0000-000000000000"


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Kept per ALT and request while nothing it shows changed (core.versions). Built only for the request's
    # own ALT (anyone else's answers 404 and nothing is kept); a request given to another ALT renews both.
    content = kept_page_for_alt(
        request,
        f"support-request:{pk}",
        lambda: _detail_content(request, pk, ReplyForm(initial={"submit_token": _TOKEN_MARK})),
    )
    body, reference, has_new_reply = content
    return _detail_page(request, (body.replace(_TOKEN_MARK, str(uuid.uuid4())), reference, has_new_reply))


def _mark_seen(request: HttpRequest, support_request) -> bool:
    """The POST came from the request's page, which showed staff's replies up to `seen_up_to`."""
    form = SeenForm(request.POST)
    if not form.is_valid():
        return False
    services.support_request_mark_seen_by_alt(support_request=support_request, up_to=form.cleaned_data["seen_up_to"])
    return True


@login_required
@require_POST
def request_seen(request: HttpRequest, pk: int) -> HttpResponse:
    """The ALT opened the request: its page sends this as soon as it has loaded (htmx), or the ALT
    presses "Mark as read". "New reply" goes, for the replies the page showed."""
    support_request = selectors.support_request_get_for_alt(user=request.user, pk=pk)
    marked = _mark_seen(request, support_request)
    if request.headers.get("HX-Request") == "true":
        if not marked:
            return HttpResponse(status=400)
        # The form goes from the page, and the navigation's count is put right (out of band).
        return render(request, "support/_seen.jinja")
    if not marked:
        messages.error(request, _("This page was out of date. Here is the request as it is now."))
    return redirect(support_request)


@login_required
@require_POST
def request_reply(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.support_request_get_for_alt(user=request.user, pk=pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.message_post_by_alt(
                support_request=support_request,
                author=request.user,
                body=form.cleaned_data["body"].strip(),
                upload=form.cleaned_data.get("attachment"),
                checked_file=form.checked_file,
                submit_token=form.cleaned_data.get("submit_token"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _mark_seen(request, support_request)
            messages.success(request, _("Your message was sent."))
            return redirect(support_request)
    return _detail(request, support_request.pk, form, status=INVALID)


@login_required
@require_POST
def request_solve(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.support_request_get_for_alt(user=request.user, pk=pk)
    _mark_seen(request, support_request)
    if services.support_request_mark_solved(support_request=support_request, by=request.user):
        messages.success(request, _("Thank you. The request is marked as solved; you can reopen it within 14 days."))
    return redirect(support_request)


@login_required
@require_POST
def request_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.support_request_get_for_alt(user=request.user, pk=pk)
    _mark_seen(request, support_request)
    try:
        if services.support_request_reopen(support_request=support_request, by=request.user):
            messages.success(request, _("The request is open again. Your branch has been told."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(request, support_request.pk, ReplyForm(), status=409)
    return redirect(support_request)


# --- visits: the ALT confirms or asks for another time ---------------------------------


@login_required
@require_POST
def visit_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get_for_alt(user=request.user, pk=pk)
    try:
        if services.visit_confirm(visit=visit, by=request.user):
            messages.success(request, _("Thank you. The visit is confirmed; we will remind you the day before."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _detail(request, visit.support_request_id, ReplyForm(), status=409)
    return redirect(visit)


@login_required
@require_POST
def visit_new_time(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get_for_alt(user=request.user, pk=pk)
    form = VisitNewTimeForm(request.POST)
    if form.is_valid():
        try:
            services.visit_ask_new_time(visit=visit, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your message was sent. We will propose another time."))
            return redirect(visit)
    return _detail(
        request, visit.support_request_id, ReplyForm(), status=INVALID, new_time_form=form, visit_pk=visit.pk
    )


# --- counter cards: shown on a phone at the counter, or printed -------------------------


@login_required
@require_GET
def card_list(request: HttpRequest) -> HttpResponse:
    return render(request, "support/cards.jinja", {"cards": selectors.counter_cards()})


@login_required
@require_GET
def card_detail(request: HttpRequest, place: str) -> HttpResponse:
    card = selectors.counter_card_get(place=place)
    return render(request, "support/card.jinja", {"card": card})


# --- urgent call-outs: the signed link of the email -------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def urgent_ack(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the person on call acknowledges from their phone in one click. GET shows the button."""
    alert, person = selectors.urgent_alert_from_token(token=token)
    acknowledged_now = False
    if request.method == "POST":
        acknowledged_now = services.urgent_alert_acknowledge(alert=alert, by=person)
    context = {"alert": alert, "person": person, "acknowledged_now": acknowledged_now, "token": token}
    with translation.override(person.preferred_language):
        response = render(request, "support/urgent_ack.html", context)
    # The token is in the path: never indexed, and the site's Referrer-Policy (same-origin) keeps it here.
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A file, for the request's ALT or staff allowed to see the request; never shown inline."""
    attachment = selectors.attachment_get_for_user(user=request.user, request_pk=pk, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("File missing") from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
