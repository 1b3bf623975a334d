from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.adminsite import StaleEditFormMixin

from . import outbox, services
from .forms import UserInviteForm
from .models import AltProfile, Branch, Notification, StaffRole, User
from .scoping import BranchScopedAdminMixin, BranchScopedInlineMixin
from .selectors import branch_scope_for_user


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    fields = ["role", "branch", "is_contact"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


TRAVEL_DATES = ["departure_date", "arrival_date"]


def travel_dates_kept_elsewhere(user: User | None) -> bool:
    """Once an ALT has a placement (the onboarding app), GRM changes their travel dates on its page only:
    the dates are the profile's, but there a new arrival date also moves the arrival checklist."""
    return user is not None and getattr(user, "placement", None) is not None


class AltProfileInlineForm(StaleEditFormMixin, forms.ModelForm):
    """The profile on the user's page: refused, as on its own page, when it was saved meanwhile."""


class AltProfileInline(BranchScopedInlineMixin, admin.StackedInline):
    model = AltProfile
    form = AltProfileInlineForm
    fk_name = "user"
    extra = 0
    max_num = 1
    fields = [
        "branch",
        "managing_consultant",
        "grm_contact",
        "country",
        "prefecture",
        "orientation_track",
        *TRAVEL_DATES,
        "version",
    ]
    autocomplete_fields = ["managing_consultant", "grm_contact"]

    def has_add_permission(self, request, obj=None):
        # Staff and superusers are never ALTs (a profile would list them among a branch's ALTs).
        return super().has_add_permission(request, obj) and not (obj and (obj.is_staff or obj.is_superuser))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, *TRAVEL_DATES] if travel_dates_kept_elsewhere(obj) else readonly


@admin.register(User)
class UserAdmin(BranchScopedAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "preferred_language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "preferred_language", "staff_roles__role"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["last_login", "date_joined", "is_staff"]
    inlines = [AltProfileInline, StaffRoleInline]
    actions = ["send_invitation", "deactivate"]
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "preferred_language", "phone"),
                "description": _("The person receives an email invitation to choose a password."),
            },
        ),
    )
    add_form = UserInviteForm
    _scope_needs_distinct = True

    def scope_filter(self, scope):
        return Q(alt_profile__branch__in=scope.branch_ids) | Q(staff_roles__branch__in=scope.branch_ids)

    # Staff who may change users (GRM) change ALT accounts only: editing a colleague's or a
    # superuser's email, or setting their password, would be a way into their account.
    @staticmethod
    def _is_protected(request, obj) -> bool:
        return obj is not None and not request.user.is_superuser and (obj.is_superuser or obj.is_staff)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._is_protected(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._is_protected(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Only superusers set someone else's password; people set their own through the invitation or reset link.
        if not request.user.is_superuser:
            raise Http404("Not found")
        return super().user_change_password(request, id, form_url)

    def _changeable(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        return queryset.filter(is_superuser=False, is_staff=False)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        main = (None, {"fields": ("email", "first_name", "last_name", "preferred_language", "phone")})
        status = (_("Status"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")})
        if request.user.is_superuser:
            powers = (_("Permissions"), {"fields": ("is_superuser", "groups", "user_permissions")})
            return (main, status, powers)
        return (main, status)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # As the bulk action does: a deactivated account is signed out everywhere, so that
            # reactivating it later does not bring a stolen session back to life.
            services.user_deactivate(user=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.staff_roles_sync(user=form.instance)
        if not change:
            services.user_invite(user=form.instance, invited_by=request.user)
            messages.info(request, _("An invitation to set a password was emailed to %s.") % form.instance.email)

    @admin.action(description=_("Send an invitation to set a password"), permissions=["change"])
    def send_invitation(self, request, queryset):
        count = 0
        for user in self._changeable(request, queryset):
            services.user_invite(user=user, invited_by=request.user)
            count += 1
        self.message_user(request, ngettext("%d invitation sent.", "%d invitations sent.", count) % count)

    @admin.action(description=_("Deactivate and sign out"), permissions=["change"])
    def deactivate(self, request, queryset):
        count = 0
        for user in self._changeable(request, queryset).exclude(pk=request.user.pk):
            services.user_deactivate(user=user)
            count += 1
        self.message_user(request, ngettext("%d account deactivated.", "%d accounts deactivated.", count) % count)


@admin.register(Branch)
class BranchAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name_en", "name_ja", "phone", "emergency_phone", "office_opens", "office_closes"]
    search_fields = ["name_en", "name_ja", "code"]

    def scope_filter(self, scope):
        return Q(pk__in=scope.branch_ids)


@admin.register(StaffRole)
class StaffRoleAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "role", "branch", "is_contact"]
    list_filter = ["role", "branch"]
    list_select_related = ["user", "branch"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.staff_roles_sync(user=obj.user)

    def delete_model(self, request, obj):
        user = obj.user
        super().delete_model(request, obj)
        services.staff_roles_sync(user=user)


@admin.register(AltProfile)
class AltProfileAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "user",
        "branch",
        "prefecture",
        "managing_consultant",
        "orientation_track",
        "departure_date",
        "arrival_date",
    ]
    list_filter = ["branch", "prefecture", "orientation_track"]
    list_select_related = ["user", "branch", "managing_consultant"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "managing_consultant", "grm_contact"]
    #: What a branch's staff (MCs, schedulers) may change: the placement and the contacts stay with GRM.
    BRANCH_STAFF_EDITABLE = {"prefecture"}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self.branch_scope(request).all_branches and not request.user.is_superuser:
            editable = [f.name for f in AltProfile._meta.fields if f.editable and not f.primary_key]
            return [name for name in editable if name not in self.BRANCH_STAFF_EDITABLE]
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, *TRAVEL_DATES] if obj is not None and travel_dates_kept_elsewhere(obj.user) else readonly


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox. Bodies can hold personal detail: superusers only."""

    list_display = ["kind", "to_email", "status", "attempts", "created", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "key"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["retry"]
    date_hierarchy = "created"
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again"))
    def retry(self, request, queryset):
        count = outbox.notification_retry(notification_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, ngettext("%d email queued again.", "%d emails queued again.", count) % count)


admin.site.site_header = _("ALT Portal administration")
admin.site.site_title = _("ALT Portal")
admin.site.index_title = _("Branch and national staff")
# The sidebar repeats the whole app list on every page; the index and the breadcrumbs lead there.
admin.site.enable_nav_sidebar = False


def _has_staff_role_or_superuser(request):
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    scope = branch_scope_for_user(user=user)
    return user.is_superuser or not scope.is_empty or bool(scope.roles)


admin.site.has_permission = _has_staff_role_or_superuser
