"""The three roles, as Django groups created by a data migration.

Front desk works with reservations and guests (and the EMIS dialog); admin
can do all that plus legal entities and integrations; support works in the
Django admin (the name policy). A superuser passes every check.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.permissions import BasePermission


class Role(StrEnum):
    FRONT_DESK = "front_desk"
    ADMIN = "admin"
    SUPPORT = "support"


# Which roles satisfy a requirement: an admin can do what front desk does.
_SATISFIES: dict[Role, set[Role]] = {
    Role.FRONT_DESK: {Role.FRONT_DESK, Role.ADMIN},
    Role.ADMIN: {Role.ADMIN},
    Role.SUPPORT: {Role.SUPPORT, Role.ADMIN},
}


def user_roles(user) -> set[Role]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_pms_roles", None)
    if cached is None:
        names = {g.name for g in user.groups.all()}
        cached = {r for r in Role if r.value in names}
        user._pms_roles = cached
    return cached


def has_role(user, role: Role) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user_roles(user) & _SATISFIES[role])


def can_see_document_numbers(user) -> bool:
    """Full document numbers: front desk and admins; everyone else sees a mask."""
    return has_role(user, Role.FRONT_DESK)


def role_required(role: Role) -> Callable:
    """View decorator: login is enforced by middleware, the role here (403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not has_role(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator


class _HasRole(BasePermission):
    role: Role

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, self.role)


class IsFrontDesk(_HasRole):
    role = Role.FRONT_DESK


class IsAdmin(_HasRole):
    role = Role.ADMIN
