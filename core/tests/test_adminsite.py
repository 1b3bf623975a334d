"""The admin site hardens every ModelAdmin registered with it, the apps' and third-party ones alike."""

from django.apps import apps
from django.contrib import admin

from core.adminsite import HardenedAdminMixin, PortalAdminSite, StaleEditAdminMixin, version_field_name


def test_the_default_admin_site_is_the_portals():
    assert isinstance(admin.site._wrapped if hasattr(admin.site, "_wrapped") else admin.site, PortalAdminSite)


def test_every_registered_admin_is_hardened_and_every_versioned_one_refuses_stale_edits():
    assert len(admin.site._registry) > 10
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, HardenedAdminMixin), model._meta.label
        assert isinstance(model_admin, StaleEditAdminMixin) == bool(version_field_name(model)), model._meta.label


def test_a_model_with_a_version_field_is_edited_in_the_admin():
    versioned = [m for m in apps.get_models() if version_field_name(m) and not m._meta.proxy]
    assert versioned and all(m in admin.site._registry for m in versioned)
