"""Authentication backends that load a logged-in ALT's profile with the user.

Every ALT page needs the user (for the session) and the ALT's profile with the
branch and the two contacts (`contacts.selectors.alt_profile_for_user`). Loading
both in the user's query saves each page a query; for staff the join finds no
profile and costs nothing more.
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends, get_user_model

from .prepared import PreparedGet

# The relations `alt_profile_for_user` returns loaded.
ALT_PROFILE_RELATED = ("branch", "managing_consultant", "grm_contact")

# The query runs on every request; its SQL is built once per process.
_user_with_profile = PreparedGet(
    lambda: get_user_model()._default_manager.select_related(*[f"alt_profile__{name}" for name in ALT_PROFILE_RELATED])
)


class LoadsAltProfileMixin:
    def get_user(self, user_id):
        user = _user_with_profile.get(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(LoadsAltProfileMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(LoadsAltProfileMixin, allauth_backends.AuthenticationBackend):
    pass
