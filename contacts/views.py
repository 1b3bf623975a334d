from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import AltProfileForm, LanguageForm
from .people_cache import render_alt_page


@login_required
@require_GET
def support_team(request: HttpRequest) -> HttpResponse:
    profile = selectors.alt_profile_get_for_user(user=request.user)

    def build_context():
        return {"profile": profile, "team": selectors.support_team_for_alt(profile=profile)}

    return render_alt_page(request, "contacts/support_team.jinja", "support-team", build_context)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = selectors.alt_profile_get_for_user(user=request.user)
    status = 200
    if request.method == "POST":
        form = AltProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.alt_profile_update_by_alt(
                    profile=profile,
                    prefecture=data["prefecture"],
                    phone=data["phone"],
                    seen_prefecture=data["seen_prefecture"],
                    seen_phone=data["seen_phone"],
                )
            except services.ProfileChangedError as error:
                form.add_error(None, error)
                profile.refresh_from_db()
                request.user.refresh_from_db(fields=["phone"])
                # What is saved now, for the next attempt; the ALT's own input stays in the boxes.
                form.data = form.data.copy()
                form.data.update({"seen_prefecture": profile.prefecture, "seen_phone": request.user.phone})
                status = 409
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("contacts:support_team")
        else:
            status = 422
    else:
        current = {"prefecture": profile.prefecture, "phone": request.user.phone}
        form = AltProfileForm(
            initial={**current, "seen_prefecture": current["prefecture"], "seen_phone": current["phone"]}
        )
    return render(request, "contacts/profile.html", {"profile": profile, "form": form}, status=status)


@require_GET
def wellbeing(request: HttpRequest) -> HttpResponse:
    # Open to everyone and deliberately stateless: nothing records who looked.
    return render(request, "contacts/wellbeing.html")


LANGUAGE_CHOSEN = "language_chosen_before_login"


def adopt_language_chosen_before_login(sender, request, user, **kwargs):
    """user_logged_in: a language picked in this visit before logging in is remembered for the user.

    Kept in the visitor's session (which login carries over), not read from the
    cookie: on a shared computer the cookie may be someone else's choice.
    """
    language = request.session.pop(LANGUAGE_CHOSEN, None) if hasattr(request, "session") else None
    if language:
        services.user_set_language(user=user, language=language)
    # The rest of the login request speaks the user's language: allauth's "Signed in as ..." message
    # is written now, before the next request's middleware would switch to it. Only within a request
    # being served (a resolved view): a login made outside one (the test client's) changes nothing.
    if getattr(request, "resolver_match", None) is not None and user.preferred_language in dict(settings.LANGUAGES):
        translation.activate(user.preferred_language)
        if request is not None:
            request.LANGUAGE_CODE = user.preferred_language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Unknown language")
    language = form.cleaned_data["language"]
    next_url = form.cleaned_data["next"] or request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = reverse("dashboard")
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    else:
        # Chosen on the login page: it becomes the user's language once they log in (below).
        request.session[LANGUAGE_CHOSEN] = language
    translation.activate(language)
    response = HttpResponseRedirect(next_url)

    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
