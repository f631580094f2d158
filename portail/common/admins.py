"""What the apps' Django admin screens share."""


class ReadOnlyAdminMixin:
    """Rows shown to staff as they were recorded: never added or changed from the admin, and
    deleted only when the admin sets ``deletable = True`` (then with Django's own permission).
    Put it before ``admin.ModelAdmin`` in the bases."""

    deletable = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)
