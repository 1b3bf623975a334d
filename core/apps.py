from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The platform: logging, security headers and logs, middleware, cache, admin bases. Knows no business."""

    name = "core"
    verbose_name = "Platform"

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from .security import log_login_failed

        user_login_failed.connect(log_login_failed, dispatch_uid="core.log_login_failed")
