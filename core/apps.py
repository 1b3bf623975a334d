from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Portal platform"

    def ready(self):
        from . import checks  # noqa: F401 (registers the deploy checks)


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the portal's admin site as the default one (`admin.site`)."""

    default_site = "core.adminsite.PortalAdminSite"
