from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class CoreConfig(AppConfig):
    """The platform: logging, security headers and logs, middleware, cache, sessions, the admin site. Knows no
    business."""

    name = "core"
    verbose_name = "Platform"

    def ready(self):
        from . import versions
        from .models import SubmittedForm, UserSession

        versions.connect_signals()
        versions.unseen(SubmittedForm, UserSession)

        from django.contrib.auth.signals import user_login_failed

        from . import checks  # noqa: F401 (registers the deploy checks)
        from .security import log_login_failed

        user_login_failed.connect(log_login_failed, dispatch_uid="core.log_login_failed")


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's admin site as the default one (`admin.site`)."""

    default_site = "core.adminsite.PortalAdminSite"
