"""Branch scoping for the admin: one mixin for every admin that holds branch data.

A branch's staff see and edit only their branch's rows (list, change, history,
delete, autocomplete, raw-id lookups, actions, export); national roles (SESPS,
GRM) and superusers see all; staff with no branch see nothing. A row outside
the scope answers 404, so its existence is not revealed.
"""

from django.contrib import admin
from django.db.models import Q
from django.http import Http404

from .models import Branch
from .selectors import BranchScope, branch_scope_for_user


class BranchScopedAdminMixin:
    #: ORM path from this model to its Branch, e.g. "branch" or "alt__alt_profile__branch".
    branch_lookup = "branch"
    #: Rows without a branch (national sessions, applicants): who besides national staff sees them.
    unbranched_visible_to_branch_staff = False

    def scope_filter(self, scope: BranchScope) -> Q:
        """The rows `scope` may see; override for models reached by several paths."""
        condition = Q(**{f"{self.branch_lookup}__in": scope.branch_ids})
        if self.unbranched_visible_to_branch_staff:
            condition |= Q(**{f"{self.branch_lookup}__isnull": True})
        return condition

    def branch_scope(self, request) -> BranchScope:
        return branch_scope_for_user(user=request.user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = self.branch_scope(request)
        if scope.all_branches:
            return queryset
        if scope.is_empty:
            return queryset.none()
        condition = self.scope_filter(scope)
        filtered = queryset.filter(condition)
        # A path through a to-many relation can repeat rows.
        return filtered.distinct() if "__" in self.branch_lookup or self._scope_needs_distinct else filtered

    _scope_needs_distinct = False

    def get_object(self, request, object_id, from_field=None):
        if not self.has_view_or_change_permission(request):
            # Without the permission every id answers 404, not 403 for the ones that exist.
            raise Http404("Not found")
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("Not found")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if related is Branch:
            scope = self.branch_scope(request)
            if not scope.all_branches:
                kwargs["queryset"] = Branch.objects.filter(pk__in=scope.branch_ids)
        else:
            related_admin = self.admin_site._registry.get(related)
            if isinstance(related_admin, BranchScopedAdminMixin):
                # Choices and raw-id values are checked against what the user may see.
                kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if isinstance(related_admin, BranchScopedAdminMixin):
            kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_module_permission(self, request):
        if not self.branch_scope(request).all_branches and self.branch_scope(request).is_empty:
            return False
        return super().has_module_permission(request)


class BranchScopedInlineMixin:
    """For inlines whose own foreign keys point at scoped models."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        scope = branch_scope_for_user(user=request.user)
        if related is Branch and not scope.all_branches:
            kwargs["queryset"] = Branch.objects.filter(pk__in=scope.branch_ids)
        else:
            related_admin = admin.site._registry.get(related)
            if isinstance(related_admin, BranchScopedAdminMixin):
                kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def admin_view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" redirect, only for a row the user may see in the admin.

    Django's own answers a redirect for any row of any model, which tells a
    branch's staff that another branch's request or session exists.
    """
    from django.contrib.admin.utils import unquote
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.contenttypes.views import shortcut

    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError):
        raise Http404("Not found") from None
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        raise Http404("Not found")
    if model_admin.get_object(request, unquote(object_id)) is None:
        raise Http404("Not found")
    return shortcut(request, content_type_id, object_id)
