"""Authentication backends that load a logged-in ALT's profile with the user.

Every ALT page needs the user (for the session) and the ALT's profile with the
branch and the two contacts (`contacts.selectors.alt_profile_for_user`). Loading
both in the user's query saves each page a query; for staff the join finds no
profile. The loaded user is kept in the shared cache while nothing about it
changes (`contacts.people_cache`).
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends, get_user_model

from . import people_cache

# The relations `alt_profile_for_user` returns loaded.
ALT_PROFILE_RELATED = ("branch", "managing_consultant", "grm_contact")


class LoadsAltProfileMixin:
    def get_all_permissions(self, user_obj, obj=None):
        # Kept with the user's roles while nothing about staff changed (people_cache.staff_permissions).
        if user_obj.is_active and not user_obj.is_anonymous and obj is None and not hasattr(user_obj, "_perm_cache"):
            kept = people_cache.staff_permissions(user_obj)
            if kept is not None:
                user_obj._perm_cache = kept
        return super().get_all_permissions(user_obj, obj)

    def get_user(self, user_id):
        user = people_cache.user_load(user_id, lambda: self._user_from_database(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def _user_from_database(user_id):
        User = get_user_model()
        related = [f"alt_profile__{name}" for name in ALT_PROFILE_RELATED]
        try:
            # get(), not first(): no ORDER BY to build on every request.
            return User._default_manager.select_related(*related).get(pk=user_id)
        except User.DoesNotExist:
            return None


class ModelBackend(LoadsAltProfileMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(LoadsAltProfileMixin, allauth_backends.AuthenticationBackend):
    pass
