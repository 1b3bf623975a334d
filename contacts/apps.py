from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_last_app(app_config, **kwargs):
    # post_migrate is sent once per app; permissions of later apps exist only
    # after the last one, so act then.
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if with_models and app_config is with_models[-1]:
        from .roles import sync_role_groups

        sync_role_groups()


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("People and branches")
    # Branch MCs and schedulers change an ALT's profile for the prefecture only (AltProfileAdmin):
    # they hear first when an ALT moves, and safety checks are sent by prefecture.
    role_permissions = {
        "MC": ["contacts.view_altprofile", "contacts.change_altprofile", "contacts.view_branch", "contacts.view_user"],
        "SCHEDULER": [
            "contacts.view_altprofile",
            "contacts.change_altprofile",
            "contacts.view_branch",
            "contacts.view_user",
        ],
        "TRAINER": ["contacts.view_altprofile", "contacts.view_branch", "contacts.view_user"],
        "SESPS": ["contacts.view_altprofile", "contacts.view_branch", "contacts.view_user"],
        "GRM": [
            "contacts.view_altprofile",
            "contacts.add_altprofile",
            "contacts.change_altprofile",
            "contacts.view_branch",
            "contacts.view_user",
            "contacts.add_user",
            "contacts.change_user",
        ],
    }

    def ready(self):
        from django.contrib.auth.models import Group

        from core import versions

        from .models import AltProfile, Branch, Notification, StaffRole, User

        # What ALTs' pages show of these rows is also kept under contacts.people_cache's tokens.
        # A login's mark, a password: no page shows them.
        versions.register(User, alt="id", also=("staff",), unseen_fields=("last_login", "password"))
        versions.register(AltProfile, alt="user_id")
        versions.register(Branch, everyone=True)
        # Who staff are and what they may do: the admin's lists offer them as assignees ("staff").
        versions.register(StaffRole, also=("staff",))
        versions.register(Group, also=("staff",))
        versions.unseen(Notification)

        from django.contrib.auth.signals import user_logged_in

        from . import people_cache
        from .views import adopt_language_chosen_before_login

        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="contacts.sync_role_groups")
        user_logged_in.connect(adopt_language_chosen_before_login, dispatch_uid="contacts.language_at_login")
        people_cache.connect_signals()
