from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contacts.selectors import alt_profile_get_for_user


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    return render(request, "support/index.html", {"profile": profile})


@login_required
@require_GET
def request_new(request: HttpRequest) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    return render(request, "support/index.html", {"profile": profile})


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alt_profile_get_for_user(user=request.user)
    raise Http404("No such request")
