"""Which service confirmations a user reaches (registered in `apps.py`).

The trainee's scope (own record, supervisees, trainees employed in the user's arenas,
institutions or regions) — and the employment the confirmation is about: its institution for
coordinators and the region (an education lead: only in their specialty), its learning arena
for the leader (without an arena: the leader's arenas at the employer in its specialty). The
second part keeps an ended employment's confirmation in reach of the unit that signs it:
trainees ask for one when they leave."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from lisplan.accounts import access


def unit_q(user, g: access.Grants, permission: str, employment: str) -> Q:
    """Rows whose employment (the path `employment`; "" for an employment itself) lies in the
    user's institutions, regions or arenas for `permission`, ended or not."""

    def at(name: str) -> str:
        return f"{employment}__{name}" if employment else name

    no_arenas = access.Grants(g.all, {}, g.institutions, g.regions, frozenset())
    q = access.via_institution(at("institution"), at("specialty"))(user, no_arenas, permission)
    paths = g.arena_paths.get(permission, ())
    for path in paths:
        q |= Q(**{at("arena__path__startswith"): path})
    if paths:
        # an employment registered without an arena: the leader of an arena of the employer in
        # the employment's specialty
        under = Q(pk__in=[])
        for path in paths:
            under |= Q(path__startswith=path)
        arenas = apps.get_model("organisations.LearningArena").objects.filter(
            under,
            institution_id=OuterRef(at("institution_id")),
            specialty_id=OuterRef(at("specialty_id")),
        )
        q |= Q(Exists(arenas), **{at("arena__isnull"): True})
    return q


def confirmation_scope(prefix: str) -> access.ScopeRule:
    """The rule for a model whose path to the series is `prefix` ("" for the series)."""
    by_trainee = access.via_trainee(f"{prefix}trainee_id")

    def rule(user, g: access.Grants, permission: str) -> Q:
        return by_trainee(user, g, permission) | unit_q(user, g, permission, f"{prefix}employment")

    return rule
