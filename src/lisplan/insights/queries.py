"""Reads shared by the insight pages and the API: a user's scope (checked), the indicator values
(live or frozen) with small cells hidden outside the unit, the drill-down rows (live or frozen)
in one display shape, the export rows and the pre-harvest work list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from lisplan.catalogue.models import Specialty
from lisplan.insights import scopes
from lisplan.insights.indicators import (
    BY_CODE,
    COUNT,
    INDICATORS,
    MEDIAN,
    SHARE,
    Ctx,
    Indicator,
    Scope,
    Value_,
    context,
    evaluate_all,
    primary_employments,
    row_values,
)
from lisplan.insights.models import Harvest
from lisplan.organisations.models import Institution, LearningArena, Region

SCOPE_KINDS = ("national", "region", "institution", "specialty", "arena")


class ScopeError(Exception):
    def __init__(self, field: str, code: str, message: str):
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


def parse_scope(kind: str | None, pk: int | None, specialty: int | None) -> Scope | None:
    """A Scope from `scope=region|institution|specialty|arena&id=&specialty=`; None when no
    scope is given (the user's own comes first). Unknown ids are a ScopeError."""
    if not kind:
        if specialty:
            raise ScopeError("scope", "required", _("Oppgi «scope» sammen med «specialty»."))
        return None
    if kind not in SCOPE_KINDS:
        raise ScopeError(
            "scope",
            "invalid",
            _("«scope» må være en av: %(kinds)s.") % {"kinds": ", ".join(SCOPE_KINDS)},
        )
    if kind == "national":
        if specialty and not Specialty.objects.filter(pk=specialty).exists():
            raise ScopeError("specialty", "unknown", _("Ukjent spesialitet."))
        return Scope(specialty=specialty)
    if pk is None:
        raise ScopeError("id", "required", _("Oppgi «id» for enheten."))
    model = {
        "region": Region,
        "institution": Institution,
        "specialty": Specialty,
        "arena": LearningArena,
    }[kind]
    if not model.objects.filter(pk=pk).exists():
        raise ScopeError("id", "unknown", _("Ukjent enhet (id %(id)s).") % {"id": pk})
    if specialty and not Specialty.objects.filter(pk=specialty).exists():
        raise ScopeError("specialty", "unknown", _("Ukjent spesialitet."))
    if kind == "specialty":
        return Scope(specialty=pk)
    return Scope(**{kind: pk, "specialty": specialty})


def resolve(user, scope: Scope | None) -> tuple[Scope, str]:
    """The scope to show (the user's own when None) and the access level; 404 outside."""
    if scope is None:
        home = scopes.home_scopes(user)
        if not home:
            raise Http404
        scope = home[0]
    level = scopes.access(user, scope)
    if level is None:
        raise Http404
    return scope, level


def mask(values: list[Value_], level: str) -> list[Value_]:
    """Outside the unit, a cell with 1–4 (numerator, denominator or count) is hidden."""
    if level == scopes.INSIDE:
        return values
    for v in values:
        if (
            scopes.small(v.numerator)
            or scopes.small(v.denominator)
            or (v.indicator.unit == COUNT and scopes.small(v.value))
        ):
            v.suppressed = True
            v.value = v.numerator = v.denominator = v.change = v.previous = None
    return values


def live_values(user, scope: Scope, at: dt.date, level: str, change: bool = True) -> list[Value_]:
    from lisplan.insights.services import with_change

    values = evaluate_all(scope, at)
    if change:
        values = with_change(values, scope)
    return mask(values, level)


def frozen(user, harvest: Harvest, scope: Scope, level: str) -> list[Value_]:
    from lisplan.insights.services import frozen_values

    return mask(frozen_values(harvest, scope), level)


def specialties_in_use() -> list[tuple[int, str]]:
    """The specialties someone is employed in (the dashboard's choice), by name: one index probe
    per specialty rather than a join over every employment."""
    from django.db.models import Exists, OuterRef

    from lisplan.trainees.models import Employment

    employed = Employment.objects.filter(specialty_id=OuterRef("pk"))
    return list(
        Specialty.objects.filter(Exists(employed)).order_by("name").values_list("pk", "name")
    )


def indicator(code: str) -> Indicator:
    found = BY_CODE.get(code)
    if found is None:
        raise Http404
    return found


def require_inside(level: str) -> None:
    """The lists behind the numbers are only for users inside the unit."""
    if level != scopes.INSIDE:
        raise PermissionDenied


# --- display ---------------------------------------------------------------------------------


def display(v: Value_ | None) -> str:
    """The value as a user reads it: «< 5», «–» (no value), «12», «84,5 %», «1,3»."""
    if v is None:
        return "–"
    if v.suppressed:
        return "< 5"
    if v.value is None:
        return "–"
    return format_value(v.indicator, v.value)


def format_value(ind: Indicator, value) -> str:
    if value is None:
        return "–"
    if ind.unit == COUNT:
        return f"{int(value):,}".replace(",", "\u00a0")
    if ind.unit == SHARE:
        return f"{100 * value:.1f}".replace(".", ",") + "\u00a0%"
    if ind.unit == MEDIAN:
        return f"{value:.1f}".replace(".", ",")
    return f"{value:.2f}".replace(".", ",")


def format_change(ind: Indicator, change) -> str:
    if change is None:
        return ""
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    text = format_value(ind, abs(change))
    if ind.unit == SHARE:
        text = _("%(value)s prosentpoeng") % {"value": f"{100 * abs(change):.1f}".replace(".", ",")}
    return f"{sign}{text}"


def number(n) -> str:
    """12 345 (Norwegian digit grouping with a no-break space); «–» for none."""
    if n is None:
        return "–"
    return f"{int(n):,}".replace(",", "\u00a0")


def change_is_better(ind: Indicator, change) -> bool | None:
    if change in (None, 0) or ind.direction == "neutral":
        return None
    return (change > 0) == (ind.direction == "higher")


# --- drill-down rows -------------------------------------------------------------------------


@dataclass
class DrillRow:
    id: int
    trainee_id: int | None
    trainee: str
    institution: str
    specialty: str
    arena: str
    date: dt.date | None = None
    detail: str = ""
    measure: float | None = None


def _order(ind: Indicator) -> tuple[str, ...]:
    if ind.fields[0] == "pk":
        return ("last_name", "first_name", "pk")
    return ("trainee__last_name", "trainee__first_name", "pk")


def live_rows(ind: Indicator, scope: Scope, at: dt.date):
    """The numerator rows as dicts (oid, tid, day, info, since), ordered by name; today's from
    the stored facts' population (`indicators.context`)."""
    ctx = context(scope, at)
    return row_values(ind, ind.rows(ctx).order_by(*_order(ind)))


def attach(ind: Indicator, rows: list[dict], at: dt.date) -> list[DrillRow]:
    """Names and units for one page (or chunk) of live rows: two queries."""
    from lisplan.trainees.models import Trainee

    ids = {r["tid"] for r in rows if r.get("tid")}
    names = {
        pk: f"{first} {last}"
        for pk, first, last in Trainee.objects.filter(pk__in=ids).values_list(
            "pk", "first_name", "last_name"
        )
    }
    where = {
        r["trainee_id"]: r
        for r in primary_employments(at)
        .filter(trainee_id__in=ids)
        .values("trainee_id", "institution__name", "specialty__name", "arena__name")
    }
    out = []
    for r in rows:
        w = where.get(r.get("tid"), {})
        out.append(
            DrillRow(
                id=r["oid"],
                trainee_id=r.get("tid"),
                trainee=names.get(r.get("tid"), ""),
                institution=w.get("institution__name") or "",
                specialty=w.get("specialty__name") or "",
                arena=w.get("arena__name") or "",
                date=r.get("day"),
                detail=str(r.get("info") or ""),
                measure=ind.measure(r) if ind.measure else None,
            )
        )
    return out


def frozen_drill(rows) -> list[DrillRow]:
    return [
        DrillRow(
            id=r.object_id,
            trainee_id=r.trainee_id,
            trainee=r.trainee_name,
            institution=r.institution_name,
            specialty=r.specialty_name,
            arena=r.arena_name,
            date=r.day,
            detail=r.detail,
            measure=r.measure,
        )
        for r in rows
    ]


def columns(ind: Indicator) -> list[str]:
    out = [_("Lege"), _("Arbeidsgiver"), _("Spesialitet"), _("Læringsarena")]
    if ind.fields[1]:
        out.append(str(ind.date_title or _("Dato")))
    if ind.fields[2]:
        out.append(str(ind.detail_title or _("Detalj")))
    if ind.measure:
        out.append(_("Ventetid (mnd.)"))
    return out


def cells(ind: Indicator, r: DrillRow) -> list:
    out = [r.trainee, r.institution, r.specialty, r.arena]
    if ind.fields[1]:
        out.append(r.date)
    if ind.fields[2]:
        out.append(r.detail)
    if ind.measure:
        out.append(r.measure)
    return out


def export_live_rows(
    ind: Indicator, scope: Scope, at: dt.date, chunk: int = 1000
) -> Iterator[list]:
    """Every live row, in chunks of `chunk` (names for each chunk in two queries)."""
    buffer: list[dict] = []
    for r in live_rows(ind, scope, at).iterator(chunk_size=chunk):
        buffer.append(r)
        if len(buffer) >= chunk:
            yield from (cells(ind, d) for d in attach(ind, buffer, at))
            buffer = []
    if buffer:
        yield from (cells(ind, d) for d in attach(ind, buffer, at))


def export_frozen_rows(ind: Indicator, rows) -> Iterator[list]:
    for r in rows.iterator(chunk_size=2000):
        yield cells(ind, frozen_drill([r])[0])


def table_columns() -> list[str]:
    return [
        _("Indikator"),
        _("Verdi"),
        _("Teller"),
        _("Nevner"),
        _("Enhet"),
        _("Retning"),
        _("Endring siden forrige innhøsting"),
        _("Definisjon"),
    ]


def table_cells(v: Value_) -> list:
    ind = v.indicator
    return [
        str(ind.name),
        display(v),
        "< 5" if v.suppressed else v.numerator,
        "< 5" if v.suppressed and ind.denominator else v.denominator,
        ind.unit_label,
        ind.direction_label,
        format_change(ind, v.change),
        str(ind.definition),
    ]


# --- sorting ---------------------------------------------------------------------------------

SORTS = ("name", "value", "change")


def sort_values(values: list[Value_], key: str, descending: bool) -> list[Value_]:
    if key == "value":
        ordered = sorted(values, key=lambda v: (v.value is None, v.value or 0))
    elif key == "change":
        ordered = sorted(values, key=lambda v: (v.change is None, v.change or 0))
    else:
        return sorted(values, key=lambda v: str(v.indicator.name), reverse=descending)
    if descending:
        nones = [v for v in ordered if (v.value if key == "value" else v.change) is None]
        rest = [v for v in ordered if v not in nones]
        return list(reversed(rest)) + nones
    return ordered


def all_indicators() -> list[Indicator]:
    return INDICATORS


# --- before the harvest: the coordinators' work list -----------------------------------------

STALE_GOAL_DAYS = 30  # a learning goal marked as started this long ago still awaits approval
WORK_KINDS = ("plans", "iup", "goals")


def work_items(kind: str, scope: Scope, at: dt.date):
    """What will be incomplete at the harvest, for one kind: missing/expired plans (employment
    rows), IUPs missing or not updated for 6 months (trainees), learning goals marked as started
    more than 30 days ago and not yet approved (goal rows). Today's on the stored facts
    (`indicators.context`), like the indicators they complete."""
    return work_items_in(kind, context(scope, at))


def work_items_in(kind: str, ctx: Ctx):
    from django.db.models import Q

    from lisplan.insights import indicators as ind
    from lisplan.progress.models import GoalApproval, GoalStatus
    from lisplan.trainees.models import Trainee

    at = ctx.at
    if kind == "plans":
        return (
            ind._plans_missing(ctx)
            .select_related("trainee", "institution", "specialty")
            .order_by("trainee__last_name", "trainee__first_name", "pk")
        )
    if kind == "iup":
        missing = ind._iup_missing(ctx).values("trainee_id")
        overdue = ind._iup_overdue(ctx).values("trainee_id")
        return Trainee.objects.filter(Q(pk__in=missing) | Q(pk__in=overdue)).order_by(
            "last_name", "first_name", "pk"
        )
    if kind == "goals":
        before = dt.datetime.combine(at - dt.timedelta(days=STALE_GOAL_DAYS), dt.time.min)
        from django.utils import timezone

        return (
            GoalApproval.objects.filter(
                ind._in_population(ctx),
                status=GoalStatus.IN_PROGRESS,
                updated_at__lt=timezone.make_aware(before),
            )
            .select_related("trainee", "goal")
            .order_by("trainee__last_name", "goal__code")
        )
    raise Http404


def work_trainee_ids(kind: str, scope: Scope, at: dt.date) -> list[int]:
    qs = work_items(kind, scope, at)
    field = "pk" if kind == "iup" else "trainee_id"
    return sorted(set(qs.values_list(field, flat=True)))
