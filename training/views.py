from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contacts.selectors import alt_profile_get_for_user


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    profile = alt_profile_get_for_user(user=request.user)
    return render(request, "training/index.html", {"profile": profile})
