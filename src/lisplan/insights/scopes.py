"""Which scopes a user may see indicators for, and how (issue 14, «Access»).

A leader sees their learning arenas, the local coordinator (and the UKO) their institution, the
education lead (UAO) their institution in their specialty, the regional coordinator and the
planner their region; the administrator everything. Inside one of those units the user sees
every number and the lists behind them (`INSIDE`). Other units of the same region can be seen
for comparison (`OUTSIDE`): numbers only, with small cells — fewer than 5 — shown as «< 5», and
no lists. Anything else is not found.

The grants come from the one access policy (`accounts.access.grants`, permission
`insights.view`); this module only decides how a unit relates to a scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lisplan.accounts.access import grants
from lisplan.insights.indicators import Scope
from lisplan.organisations.models import Institution, LearningArena

INSIDE, OUTSIDE = "inside", "outside"
PERMISSION = "insights.view"
SMALL = 5  # cells with 1–4 are shown as «< 5» outside the unit


@dataclass
class Units:
    everything: bool = False
    arenas: list[tuple[int, str, int, int]] = field(default_factory=list)  # id, path, inst, region
    institutions: list[tuple[int, int | None, int]] = field(default_factory=list)  # inst, spec, reg
    regions: list[int] = field(default_factory=list)

    @property
    def region_ids(self) -> set[int]:
        return (
            {r for *_x, r in self.arenas} | {r for *_x, r in self.institutions} | set(self.regions)
        )


def units(user) -> Units:
    cached = getattr(user, "_lisplan_insight_units", None)
    if cached is not None:
        return cached
    g = grants(user)
    out = Units(everything=PERMISSION in g.all)
    paths = g.arena_paths.get(PERMISSION, ())
    if paths:
        for arena in LearningArena.objects.filter(path__in=paths).select_related("institution"):
            out.arenas.append(
                (arena.pk, arena.path, arena.institution_id, arena.institution.region_id)
            )
    pairs = g.institutions.get(PERMISSION, ())
    if pairs:
        region_of = dict(
            Institution.objects.filter(pk__in=[i for i, _s in pairs]).values_list("pk", "region_id")
        )
        out.institutions = [(i, s, region_of.get(i)) for i, s in pairs]
    out.regions = list(g.regions.get(PERMISSION, ()))
    user._lisplan_insight_units = out
    return out


def _place(scope: Scope) -> tuple[str, int | None, int | None, int | None]:
    """(arena path, arena's specialty, institution, region) of a scope."""
    if scope.arena:
        arena = LearningArena.objects.filter(pk=scope.arena).select_related("institution").first()
        if arena is None:
            return "/none/", None, -1, -1
        return arena.path, arena.specialty_id, arena.institution_id, arena.institution.region_id
    if scope.institution:
        region = (
            Institution.objects.filter(pk=scope.institution)
            .values_list("region_id", flat=True)
            .first()
        )
        if scope.region and region != scope.region:
            return "", None, -1, -1
        return "", None, scope.institution, region if region is not None else -1
    return "", None, None, scope.region


def access(user, scope: Scope) -> str | None:
    """INSIDE, OUTSIDE (same region: numbers with small cells hidden, no lists), or None."""
    u = units(user)
    if u.everything:
        return INSIDE
    path, _arena_specialty, institution, region = _place(scope)
    if region in u.regions:
        return INSIDE
    for inst, spec, _r in u.institutions:
        if institution == inst and (spec is None or scope.specialty == spec):
            return INSIDE
    for _id, arena_path, _inst, _r in u.arenas:
        if path and path.startswith(arena_path):
            return INSIDE
    if region is not None and region in u.region_ids:
        return OUTSIDE
    return None


def home_scopes(user) -> list[Scope]:
    """The user's own units, the widest first: what their dashboard shows first."""
    u = units(user)
    out: list[Scope] = []
    if u.everything:
        out.append(Scope())
    out += [Scope(region=r) for r in sorted(u.regions)]
    out += [Scope(institution=i, specialty=s) for i, s, _r in u.institutions]
    out += [Scope(arena=a) for a, *_x in u.arenas]
    seen: list[Scope] = []
    for s in out:
        if s not in seen:
            seen.append(s)
    return seen


def comparison_institutions(user, scope: Scope) -> list[Institution]:
    """The institutions of the scope's region, for the regional roles' comparison table."""
    region = scope.region
    if region is None:
        return []
    from django.db.models import Exists, OuterRef

    from lisplan.trainees.models import Employment

    employed = Employment.objects.filter(institution_id=OuterRef("pk"))  # an index probe each
    return list(Institution.objects.filter(Exists(employed), region_id=region).order_by("name"))


def small(value) -> bool:
    return isinstance(value, int | float) and 0 < value < SMALL
