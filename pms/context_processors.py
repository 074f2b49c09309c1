from django.conf import settings

from .roles import Role, has_role


def roles(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "is_front_desk": has_role(user, Role.FRONT_DESK),
        "is_admin": has_role(user, Role.ADMIN),
        "is_support": has_role(user, Role.SUPPORT),
        "PMS_PUBLIC_URL": settings.PMS_PUBLIC_URL,
    }
