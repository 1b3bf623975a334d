from django.apps import AppConfig


class InteracPortalConfig(AppConfig):
    name = "interac_portal"
    verbose_name = "ALT Portal"
