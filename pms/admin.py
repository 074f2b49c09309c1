"""Login lockouts in the Django admin, for support.

Axes' own page lists the failed-login records; deleting a record unlocks its
username and address (what ``manage.py axes_reset_username`` does). Axes
guards it with model permissions nobody here has; support gets it by role,
like the name policy.
"""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin

from .roles import Role, has_role


class SupportAccessAttemptAdmin(AccessAttemptAdmin):
    def has_module_permission(self, request):
        return has_role(request.user, Role.SUPPORT)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, Role.SUPPORT)

    def has_delete_permission(self, request, obj=None):
        return has_role(request.user, Role.SUPPORT)


if admin.site.is_registered(AccessAttempt):  # AXES_ENABLE_ADMIN may turn it off
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, SupportAccessAttemptAdmin)
