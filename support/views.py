"""The ALT's support pages. Staff work in the admin; they reach files through `attachment_download`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.pagecache import private_page
from contacts.selectors import alt_profile_get_for_user

from . import selectors, services
from .forms import ReplyForm, SupportRequestForm
from .help import category_help
from .models import Category

# Re-rendered forms with bad input answer this (the input is kept).
INVALID = 422


@login_required
@require_GET
@private_page
def request_list(request: HttpRequest) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    support_requests = selectors.support_requests_for_alt(user=request.user)
    return render(request, "support/list.html", {"profile": profile, "support_requests": support_requests})


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    if profile.branch is None:
        return render(request, "support/no_branch.html", {"profile": profile})
    status = 200
    if request.method == "POST":
        form = SupportRequestForm(request.POST, request.FILES)
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
        form = SupportRequestForm(initial=SupportRequestForm.initial_for(request.GET))
    context = {
        "profile": profile,
        "branch": profile.branch,
        "form": form,
        "category_help": category_help(branch=profile.branch),
        "wellbeing": Category.WELLBEING,
    }
    return render(request, "support/new.html", context, status=status)


@login_required
@require_GET
def request_sent(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.support_request_get_for_alt(user=request.user, pk=pk)
    return render(request, "support/sent.html", {"support_request": support_request})


def _detail(request, support_request, reply_form, status=200) -> HttpResponse:
    thread, request_files = selectors.support_thread_for_alt(support_request=support_request)
    context = {
        "support_request": support_request,
        "thread": thread,
        "request_files": request_files,
        "reply_form": reply_form,
    }
    return render(request, "support/detail.html", context, status=status)


@login_required
@require_GET
@private_page
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.support_request_get_for_alt(user=request.user, pk=pk)
    return _detail(request, support_request, ReplyForm())


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
            messages.success(request, _("Your message was sent."))
            return redirect(support_request)
    return _detail(request, support_request, form, status=INVALID)


@login_required
@require_POST
def request_solve(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.support_request_get_for_alt(user=request.user, pk=pk)
    if services.support_request_mark_solved(support_request=support_request, by=request.user):
        messages.success(request, _("Thank you. The request is marked as solved; you can reopen it within 14 days."))
    return redirect(support_request)


@login_required
@require_POST
def request_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.support_request_get_for_alt(user=request.user, pk=pk)
    try:
        if services.support_request_reopen(support_request=support_request, by=request.user):
            messages.success(request, _("The request is open again. Your branch has been told."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        support_request.refresh_from_db()
        return _detail(request, support_request, ReplyForm(), status=409)
    return redirect(support_request)


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
