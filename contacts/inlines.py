"""Admin inlines shared by the apps."""


class ReadOnlyInlineMixin:
    """An inline that shows rows and never adds, changes or deletes them: a history, a thread, a roll.

    Every listed field is read-only; the rows change through the app's services.
    """

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
