"""Reads of users for the administration pages: search, filter and the roles of one user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from lisplan.accounts.models import RoleAssignment, User


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    status: str = ""  # "", "active", "inactive"
    role: str = ""  # a role code: users holding it today
    institution: int | None = None  # users with a role there today (or in one of its arenas)


def users(filters: UserFilters = UserFilters()) -> QuerySet[User]:
    """Users by last name, each with `current_roles` (today's role assignments, prefetched)."""
    today = timezone.localdate()
    current = (
        RoleAssignment.objects.active(today)
        .select_related("arena", "institution", "region", "specialty")
        .order_by("role", "id")
    )
    qs = User.objects.prefetch_related(
        Prefetch("role_assignments", queryset=current, to_attr="current_roles")
    )
    for word in filters.q.split():
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
            | Q(hpr_number=word)
        )
    if filters.status == "active":
        qs = qs.filter(is_active=True)
    elif filters.status == "inactive":
        qs = qs.filter(is_active=False)
    if filters.role:
        holders = RoleAssignment.objects.active(today).filter(role=filters.role)
        qs = qs.filter(pk__in=holders.values("user_id"))
    if filters.institution:
        there = RoleAssignment.objects.active(today).filter(
            Q(institution_id=filters.institution) | Q(arena__institution_id=filters.institution)
        )
        qs = qs.filter(pk__in=there.values("user_id"))
    return qs.order_by("last_name", "first_name", "username", "id")


def role_history(user: User) -> tuple[list[RoleAssignment], list[RoleAssignment]]:
    """(current and future, ended) role assignments of `user`."""
    today = timezone.localdate()
    rows = list(
        RoleAssignment.objects.filter(user=user)
        .select_related("arena__institution", "institution", "region", "specialty")
        .order_by("-valid_from", "role", "id")
    )
    ended = [a for a in rows if a.valid_to is not None and a.valid_to < today]
    return [a for a in rows if a not in ended], ended
