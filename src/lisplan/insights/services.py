"""Harvests: start one (the regional coordinator, or the scheduled job on 1 March and
1 September), run it in the background (`tasks.run_harvest`), freeze every indicator's rows for
the whole country on its date, and read frozen values and rows back for any scope."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lisplan.accounts.access import has_permission
from lisplan.audit.services import record
from lisplan.errors import Invalid
from lisplan.insights.indicators import (
    BY_CODE,
    INDICATORS,
    MEDIAN,
    Ctx,
    Indicator,
    Scope,
    Value_,
    compute,
    primary_employments,
    row_values,
)
from lisplan.insights.models import Harvest, HarvestRow, HarvestValue, Role
from lisplan.organisations.models import LearningArena

log = logging.getLogger(__name__)
HARVEST_DAYS = ((3, 1), (9, 1))  # 1 March, 1 September (seed 003)
WORKLIST_DAYS = 28  # the pre-harvest work list opens four weeks before


class HarvestError(Invalid):
    """A harvest or reminder the rules do not allow; the message says why, in Norwegian."""

    def __init__(self, message: str, code: str = "invalid", field: str | None = "date"):
        super().__init__(message, code, field)


def harvest_dates_around(today: dt.date) -> tuple[dt.date, dt.date]:
    """(the last harvest date on or before today, the next one after today)."""
    dates = sorted(
        dt.date(y, m, d)
        for y in (today.year - 1, today.year, today.year + 1)
        for m, d in HARVEST_DAYS
    )
    last = max(d for d in dates if d <= today)
    nxt = min(d for d in dates if d > today)
    return last, nxt


def next_harvest(today: dt.date) -> dt.date:
    """The coming harvest date: today when today is one, else the next."""
    last, nxt = harvest_dates_around(today)
    return last if last == today else nxt


def worklist_open(today: dt.date) -> bool:
    return (next_harvest(today) - today).days <= WORKLIST_DAYS


@transaction.atomic
def start_harvest(*, actor, date: dt.date, scheduled: bool = False) -> Harvest:
    """A queued harvest for `date` and its background task. 403 without `insights.harvest`;
    a date in the future, or one being harvested already, is refused."""
    from lisplan.insights.tasks import run_harvest

    if actor is not None and not has_permission(actor, "insights.harvest"):
        raise PermissionDenied
    if date > timezone.localdate():
        raise HarvestError(_("Innhøstingsdatoen kan ikke være fram i tid."), "future")
    if Harvest.objects.filter(
        date=date, status__in=(Harvest.Status.QUEUED, Harvest.Status.RUNNING)
    ).exists():
        raise HarvestError(
            _("En innhøsting for %(date)s pågår allerede.") % {"date": f"{date:%d.%m.%Y}"},
            "running",
        )
    harvest = Harvest.objects.create(
        date=date,
        scheduled=scheduled,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        actor=actor,
        action="insights.harvest_started",
        obj=harvest,
        changes={"date": [None, date.isoformat()], "scheduled": [None, scheduled]},
    )
    result = run_harvest.enqueue(harvest.pk)
    Harvest.objects.filter(pk=harvest.pk).update(task_id=str(result.id)[:64])
    harvest.refresh_from_db()
    return harvest


def execute(harvest_id: int) -> str:
    """Queued → running → done (rows frozen) or failed (with a message)."""
    claimed = Harvest.objects.filter(pk=harvest_id, status=Harvest.Status.QUEUED).update(
        status=Harvest.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    harvest = Harvest.objects.get(pk=harvest_id)
    try:
        with transaction.atomic():
            count = freeze(harvest)
            Harvest.objects.filter(pk=harvest_id).update(
                status=Harvest.Status.DONE, finished_at=timezone.now(), rows=count
            )
    except Exception as error:  # the harvest must end with a message, whatever happened
        log.exception("harvest %s failed", harvest_id)
        Harvest.objects.filter(pk=harvest_id).update(
            status=Harvest.Status.FAILED,
            finished_at=timezone.now(),
            error=_(
                "Innhøstingen feilet (%(kind)s: %(error)s). Prøv igjen, eller meld fra til "
                "brukerstøtte."
            )
            % {"kind": type(error).__name__, "error": str(error)[:300]},
        )
        return "failed"
    record(actor=None, action="insights.harvest_done", obj=harvest, changes={"rows": [None, count]})
    return "done"


def run_scheduled(today: dt.date) -> Harvest | None:
    """The scheduled job (run daily, e.g. from cron: `lisplan harvest --scheduled`): on 1 March
    and 1 September, harvest the day once."""
    if (today.month, today.day) not in HARVEST_DAYS:
        return None
    if Harvest.objects.filter(date=today).exclude(status=Harvest.Status.FAILED).exists():
        return None
    return start_harvest(actor=None, date=today, scheduled=True)


# --- freezing ---------------------------------------------------------------------------------


def _tags(at: dt.date) -> dict[int, dict]:
    """{trainee id: where the trainee counts on `at`, with names}: one query."""
    out = {}
    for r in primary_employments(at).values(
        "trainee_id",
        "trainee__first_name",
        "trainee__last_name",
        "institution_id",
        "institution__name",
        "institution__region_id",
        "specialty_id",
        "specialty__name",
        "arena__path",
        "arena__name",
    ):
        out[r["trainee_id"]] = {
            "trainee_name": f"{r['trainee__first_name']} {r['trainee__last_name']}",
            "region_id": r["institution__region_id"],
            "institution_id": r["institution_id"],
            "specialty_id": r["specialty_id"],
            "arena_path": r["arena__path"] or "",
            "institution_name": r["institution__name"],
            "specialty_name": r["specialty__name"],
            "arena_name": r["arena__name"] or "",
        }
    return out


_RECEIVING_VALUES = (
    "receiving_id",
    "receiving__name",
    "receiving__region_id",
    "specialty_id",
    "specialty__name",
)


def _receiving_tags(r: dict) -> dict:
    return {
        "region_id": r["receiving__region_id"],
        "institution_id": r["receiving_id"],
        "specialty_id": r["specialty_id"],
        "arena_path": "",
        "institution_name": r["receiving__name"],
        "specialty_name": r["specialty__name"],
        "arena_name": "",
    }


def frozen_rows_of(indicator: Indicator, ctx: Ctx, tags: dict[int, dict]) -> list[HarvestRow]:
    """The indicator's numerator and denominator rows on `ctx.at`, as unsaved frozen rows."""
    out: list[HarvestRow] = []
    qs = indicator.rows(ctx)
    if indicator.side == "receiving":
        values = _receiving_values(indicator, qs)
    else:
        values = row_values(indicator, qs)
    for r in values.iterator(chunk_size=2000):
        tag = _receiving_tags(r) if indicator.side == "receiving" else tags.get(r["tid"])
        if tag is None:
            continue
        name = tags.get(r["tid"], {}).get("trainee_name", "") if r.get("tid") else ""
        out.append(
            HarvestRow(
                indicator=indicator.code,
                role=Role.NUMERATOR,
                object_id=r["oid"],
                trainee_id=r.get("tid"),
                trainee_name=name,
                day=r.get("day"),
                detail=str(r.get("info") or "")[:300],
                measure=indicator.measure(r) if indicator.measure else None,
                **{k: v for k, v in tag.items() if k != "trainee_name"},
            )
        )
    d = indicator.denominator
    if callable(d):
        den = d(ctx)
        if indicator.side == "receiving":
            for r in den.values("pk", "weight", *_RECEIVING_VALUES).iterator(chunk_size=2000):
                out.append(
                    HarvestRow(
                        indicator=indicator.code,
                        role=Role.DENOMINATOR,
                        object_id=r["pk"],
                        weight=r["weight"],
                        **_receiving_tags(r),
                    )
                )
        else:
            field = "trainee_id" if den.model.__name__ != "Trainee" else "pk"
            for pk, tid in den.values_list("pk", field).iterator(chunk_size=2000):
                tag = tags.get(tid)
                if tag is None:
                    continue
                out.append(
                    HarvestRow(
                        indicator=indicator.code,
                        role=Role.DENOMINATOR,
                        object_id=pk,
                        trainee_id=tid,
                        **{k: v for k, v in tag.items() if k != "trainee_name"},
                    )
                )
    return out


def _receiving_values(indicator: Indicator, qs):
    trainee, day, info = indicator.fields
    from django.db.models import F

    values = {"oid": F("pk"), "tid": F(trainee)}
    if day:
        values["day"] = F(day)
    if info:
        values["info"] = F(info)
    return qs.values(*_RECEIVING_VALUES, **values)


def freeze(harvest: Harvest) -> int:
    """Write the frozen rows of every indicator for the whole country on the harvest's date,
    and the values of the standard scopes. Returns the number of rows."""
    from lisplan.insights.indicators import no_jit

    with no_jit():
        return _freeze(harvest)


def _freeze(harvest: Harvest) -> int:
    ctx = Ctx.of(Scope(), harvest.date)
    tags = _tags(harvest.date)
    total = 0
    aggregates = _Aggregates()
    for indicator in INDICATORS:
        rows = frozen_rows_of(indicator, ctx, tags)
        for row in rows:
            row.harvest = harvest
            aggregates.add(row)
        HarvestRow.objects.bulk_create(rows, batch_size=2000)
        total += len(rows)
    HarvestValue.objects.bulk_create(aggregates.values(harvest), batch_size=2000)
    return total


def standard_keys(row: HarvestRow) -> list[str]:
    """The standard scopes a frozen row counts in (see `models` docstring)."""
    keys = ["all"]
    if row.region_id:
        keys.append(f"region:{row.region_id}")
    if row.institution_id:
        keys.append(f"institution:{row.institution_id}")
    if row.specialty_id:
        keys.append(f"specialty:{row.specialty_id}")
        if row.region_id:
            keys.append(f"region:{row.region_id}/specialty:{row.specialty_id}")
        if row.institution_id:
            keys.append(f"institution:{row.institution_id}/specialty:{row.specialty_id}")
    return keys


class _Aggregates:
    def __init__(self):
        self.num: dict[tuple[str, str], int] = defaultdict(int)
        self.den: dict[tuple[str, str], int] = defaultdict(int)
        self.measures: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.keys: set[str] = set()

    def add(self, row: HarvestRow) -> None:
        for key in standard_keys(row):
            self.keys.add(key)
            if row.role == Role.NUMERATOR:
                self.num[key, row.indicator] += 1
                if row.measure is not None:
                    self.measures[key, row.indicator].append(row.measure)
            else:
                self.den[key, row.indicator] += row.weight

    def values(self, harvest: Harvest) -> list[HarvestValue]:
        out = []
        for key in sorted(self.keys):
            for indicator in INDICATORS:
                num, den = self._num_den(indicator, key)
                value = compute(indicator, num, den, self.measures.get((key, indicator.code)))
                out.append(
                    HarvestValue(
                        harvest=harvest,
                        scope=key,
                        indicator=indicator.code,
                        value=value,
                        numerator=num,
                        denominator=den,
                    )
                )
        return out

    def _num_den(self, indicator: Indicator, key: str) -> tuple[int, int | None]:
        num = self.num.get((key, indicator.code), 0)
        d = indicator.denominator
        if d is None:
            return num, None
        if d == "population":
            return num, self.num.get((key, "trainees"), 0)
        return num, self.den.get((key, indicator.code), 0)


# --- reading frozen harvests -----------------------------------------------------------------


def _frozen_q(indicator: Indicator | None, ctx: Ctx, receiving: bool) -> Q:
    s = ctx.scope
    q = Q()
    if s.region:
        q &= Q(region_id=s.region)
    if s.institution:
        q &= Q(institution_id=s.institution)
    specialty = s.specialty
    if s.arena:
        if receiving:
            arena = LearningArena.objects.filter(pk=s.arena).values(
                "institution_id", "specialty_id"
            ).first() or {"institution_id": 0, "specialty_id": None}
            q &= Q(institution_id=arena["institution_id"])
            specialty = specialty or arena["specialty_id"]
        else:
            q &= Q(arena_path__startswith=ctx.arena_path)
    if specialty:
        q &= Q(specialty_id=specialty)
    return q


def frozen_rows(harvest: Harvest, indicator: Indicator, scope: Scope):
    """The frozen numerator rows of one indicator in a scope."""
    ctx = Ctx.of(scope, harvest.date)
    return (
        HarvestRow.objects.filter(harvest=harvest, indicator=indicator.code, role=Role.NUMERATOR)
        .filter(_frozen_q(indicator, ctx, indicator.side == "receiving"))
        .order_by("trainee_name", "day", "id")
    )


def frozen_values(harvest: Harvest, scope: Scope) -> list[Value_]:
    """Every indicator's frozen value for a scope: the stored value for a standard scope, else
    computed from the frozen rows (three queries)."""
    stored = {v.indicator: v for v in HarvestValue.objects.filter(harvest=harvest, scope=scope.key)}
    if stored:
        return [
            Value_(
                i,
                stored[i.code].value
                if i.unit != "count" or stored[i.code].value is None
                else int(stored[i.code].value),
                stored[i.code].numerator,
                stored[i.code].denominator,
            )
            for i in INDICATORS
            if i.code in stored
        ]
    return values_from_rows(harvest, scope)


def values_from_rows(harvest: Harvest, scope: Scope) -> list[Value_]:
    ctx = Ctx.of(scope, harvest.date)
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    base = HarvestRow.objects.filter(harvest=harvest)
    receiving = [i.code for i in INDICATORS if i.side == "receiving"]
    for q, codes in ((_frozen_q(None, ctx, False), None), (_frozen_q(None, ctx, True), receiving)):
        qs = base.filter(q)
        qs = qs.filter(indicator__in=codes) if codes else qs.exclude(indicator__in=receiving)
        for r in qs.values("indicator", "role").annotate(n=Count("id"), w=Sum("weight")):
            counts[r["indicator"], r["role"]] = (r["n"], r["w"] or 0)
    medians = [i for i in INDICATORS if i.unit == MEDIAN]
    measures: dict[str, list[float]] = defaultdict(list)
    if medians:
        for code, m in base.filter(
            _frozen_q(None, ctx, False),
            role=Role.NUMERATOR,
            indicator__in=[i.code for i in medians],
        ).values_list("indicator", "measure"):
            if m is not None:
                measures[code].append(m)
    out = []
    population = counts.get(("trainees", Role.NUMERATOR), (0, 0))[0]
    for i in INDICATORS:
        num = counts.get((i.code, Role.NUMERATOR), (0, 0))[0]
        if i.denominator is None:
            den = None
        elif i.denominator == "population":
            den = population
        else:
            den = counts.get((i.code, Role.DENOMINATOR), (0, 0))[1]
        out.append(Value_(i, compute(i, num, den, measures.get(i.code)), num, den))
    return out


def done_harvests(limit: int | None = None):
    qs = Harvest.objects.filter(status=Harvest.Status.DONE).order_by("-date", "-id")
    return list(qs[:limit]) if limit else qs


def trend(scope: Scope, limit: int = 6) -> list[tuple[Harvest, dict[str, Value_]]]:
    """The last `limit` done harvests (oldest first) with the scope's frozen values."""
    harvests = list(reversed(done_harvests(limit)))
    return [(h, {v.code: v for v in frozen_values(h, scope)}) for h in harvests]


def with_change(values: list[Value_], scope: Scope) -> list[Value_]:
    """Fill «endring siden forrige innhøsting» from the latest done harvest."""
    latest = done_harvests(1)
    if not latest:
        return values
    previous = {v.code: v for v in frozen_values(latest[0], scope)}
    for v in values:
        p = previous.get(v.code)
        if p is not None and p.value is not None and v.value is not None:
            v.previous = p.value
            v.change = round(v.value - p.value, 4)
    return values


def indicator_or_none(code: str) -> Indicator | None:
    return BY_CODE.get(code)


# --- reminders before the harvest ------------------------------------------------------------


REMINDER_TEXT = {
    "plans": (
        _lazy("Gjennomføringsplanen må være godkjent før innhøstingen %(date)s"),
        _lazy(
            "Individuell gjennomføringsplan mangler eller er utløpt. Dataene skal være "
            "komplette %(date)s."
        ),
    ),
    "iup": (
        _lazy("Utdanningsplanen (IUP) må oppdateres før innhøstingen %(date)s"),
        _lazy(
            "Utdanningsplanen mangler signatur eller er ikke oppdatert de siste 6 "
            "månedene. Dataene skal være komplette %(date)s."
        ),
    ),
    "goals": (
        _lazy("Læringsmål venter på godkjenning før innhøstingen %(date)s"),
        _lazy(
            "Læringsmål markert som påbegynt for mer enn 30 dager siden venter på "
            "vurdering. Dataene skal være komplette %(date)s."
        ),
    ),
}


@transaction.atomic
def send_reminders(*, actor, scope: Scope, kind: str, today: dt.date) -> int:
    """Notify the trainees on one work list (and their leaders) before the harvest; one audit
    event. Returns the number of trainees reminded. The caller must be inside the scope."""
    from django.urls import reverse

    from lisplan.insights import queries, scopes
    from lisplan.notifications.services import notify
    from lisplan.plans.worklist import leaders_by_trainee
    from lisplan.trainees.models import Trainee

    if scopes.access(actor, scope) != scopes.INSIDE:
        raise PermissionDenied
    if kind not in queries.WORK_KINDS:
        raise HarvestError(_("Ukjent arbeidsliste."), "invalid", "kind")
    date = next_harvest(today)
    ids = queries.work_trainee_ids(kind, scope, today)
    trainees = list(Trainee.objects.filter(pk__in=ids).select_related("user"))
    leaders = leaders_by_trainee(trainees)
    title, body = REMINDER_TEXT[kind]
    words = {"date": f"{date:%d.%m.%Y}"}
    users = [t.user for t in trainees if t.user_id]
    users += [u for t in trainees for u in leaders.get(t.pk, [])]
    notify(
        users=users,
        kind="insights.reminder",
        title=str(title) % words,
        body=str(body) % words,
        url=reverse("home"),
    )
    record(
        actor=actor,
        action="insights.reminders_sent",
        obj=actor,
        changes={
            "kind": [None, kind],
            "scope": [None, scope.key],
            "trainees": [None, len(trainees)],
        },
    )
    return len(trainees)
