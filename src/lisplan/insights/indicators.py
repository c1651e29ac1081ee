"""The quality indicators, each defined once: code, Norwegian name, definition, unit, direction,
and the query behind it.

Every indicator is a *numerator rows* queryset (the exact list behind the number: the drill-down
and the export list the same query, so the list's count is the numerator by construction) and,
for ratios, a *denominator*. Values are computed for a `Scope` (region, institution, specialty,
learning arena and their combinations) and a date `at`.

**Who counts where.** An indicator about trainees counts each trainee once, in the scope of
their *primary employment* on `at`: the current employment (started, not ended) with the latest
start (`population`). So the institutions of a region add up to the region, and a trainee with
two current employments is never counted twice. `agreement_utilisation` is about the receiving
side (the capacity of the agreements with the scope as receiver), see its definition.

**Dates.** Counts of events use the 12 months up to and including `at` ((at − 12 mnd., at]);
projections the 12 months after it. Status indicators read the data as they are now and judge
them against `at` (an approved plan counts as valid on `at` when it was approved by then and
its approval lasts past `at`); the cached progress summaries (`ProgressSummary`) are today's. To
keep a date's values, take a harvest (`services.start_harvest`), which freezes the rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from lisplan.catalogue.models import Specialty
from lisplan.organisations.models import Institution, LearningArena, Region
from lisplan.rotations.models import add_months
from lisplan.trainees.models import Employment, Supervision

# --- scope ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A unit to compute indicators for: any combination of region, institution, learning arena
    (with the arenas below it) and specialty; all empty is the whole country."""

    region: int | None = None
    institution: int | None = None
    arena: int | None = None
    specialty: int | None = None

    @property
    def key(self) -> str:
        parts = [
            f"{name}:{getattr(self, name)}"
            for name in ("region", "institution", "arena", "specialty")
            if getattr(self, name)
        ]
        return "/".join(parts) or "all"

    @classmethod
    def from_key(cls, key: str) -> Scope:
        if key in ("", "all"):
            return cls()
        values = {}
        for part in key.split("/"):
            name, _sep, pk = part.partition(":")
            values[name] = int(pk)
        return cls(**values)

    @property
    def kind(self) -> str:
        for name in ("arena", "institution", "region", "specialty"):
            if getattr(self, name):
                return name
        return "national"

    def label(self) -> str:
        """«Ortopedisk avdeling (UNN) – Ortopedisk kirurgi», in words."""
        parts = []
        if self.arena:
            arena = LearningArena.objects.select_related("institution").get(pk=self.arena)
            parts.append(f"{arena.name} ({arena.institution.name})")
        elif self.institution:
            parts.append(Institution.objects.get(pk=self.institution).name)
        elif self.region:
            parts.append(Region.objects.get(pk=self.region).name)
        else:
            parts.append(str(_("Hele landet")))
        if self.specialty:
            parts.append(Specialty.objects.get(pk=self.specialty).name)
        return " – ".join(parts)


@dataclass(frozen=True)
class Ctx:
    scope: Scope
    at: dt.date
    arena_path: str = ""  # resolved once from scope.arena
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    # Read the population and the per-trainee facts from the stored `TraineeFacts` (today's).
    facts: bool = False
    # Only these trainees (computing their facts, `insights.facts`); None: everyone.
    trainees: tuple[int, ...] | None = None

    @classmethod
    def of(
        cls,
        scope: Scope,
        at: dt.date,
        *,
        facts: bool = False,
        trainees: tuple[int, ...] | None = None,
    ) -> Ctx:
        path = ""
        if scope.arena:
            path = (
                LearningArena.objects.filter(pk=scope.arena).values_list("path", flat=True).first()
                or "/none/"
            )
        return cls(scope, at, path, facts=facts, trainees=trainees)

    @property
    def end(self) -> dt.datetime:
        """The end of `at` (local midnight after it), for comparing timestamps with an index."""
        return end_of(self.at)

    @property
    def year_ago(self) -> dt.date:
        return add_months(self.at, -12)

    @property
    def half_year_ago(self) -> dt.date:
        return add_months(self.at, -6)

    @property
    def year_ahead(self) -> dt.date:
        return add_months(self.at, 12)


def end_of(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def employment_scope_q(ctx: Ctx, prefix: str = "") -> Q:
    s = ctx.scope
    q = Q()
    if s.region:
        q &= Q(**{f"{prefix}institution__region_id": s.region})
    if s.institution:
        q &= Q(**{f"{prefix}institution_id": s.institution})
    if s.arena:
        q &= Q(**{f"{prefix}arena__path__startswith": ctx.arena_path})
    if s.specialty:
        q &= Q(**{f"{prefix}specialty_id": s.specialty})
    return q


def primary_employments(at: dt.date) -> QuerySet[Employment]:
    """Each trainee's primary employment on `at`: current, and no other current employment of
    the trainee starts later (ties: the higher id)."""
    later = (
        Employment.objects.current(at)
        .filter(trainee_id=OuterRef("trainee_id"))
        .filter(Q(start__gt=OuterRef("start")) | Q(start=OuterRef("start"), pk__gt=OuterRef("pk")))
    )
    return Employment.objects.current(at).filter(~Exists(later))


def population(ctx: Ctx) -> QuerySet[Employment]:
    """The primary employments in the scope on `at`: one row per trainee counted."""
    qs = primary_employments(ctx.at).filter(employment_scope_q(ctx))
    if ctx.trainees is not None:
        qs = qs.filter(trainee_id__in=ctx.trainees)
    return qs


def stored_population(ctx: Ctx):
    """The population from the stored facts (`TraineeFacts`, today's): the rows with a primary
    employment in the scope. Only valid for today, after `facts.ensure_fresh`."""
    from lisplan.insights.models import TraineeFacts

    return TraineeFacts.objects.filter(employment__isnull=False).filter(employment_scope_q(ctx))


# A LIMIT the population never reaches: it keeps PostgreSQL from flattening the subquery into
# each indicator's query (where a misestimated anti-join turns into a nested loop per row); the
# population is computed once per query and hashed instead (docs/performance.md, «Innsikt»).
_FENCE = 10_000_000


def _in_population(ctx: Ctx, field: str = "trainee_id") -> Q:
    if ctx.facts:
        return Q(**{f"{field}__in": stored_population(ctx).values("trainee_id")})
    return Q(**{f"{field}__in": population(ctx).order_by().values("trainee_id")[:_FENCE]})


# --- building blocks shared by several indicators ------------------------------------------


def _members(ctx: Ctx) -> QuerySet[Employment]:
    """The population's employment rows (one per trainee), with their length: the base of the
    indicators about trainees, plans and IUPs, so they are counted in one query."""
    length = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    return population(ctx).alias(length=length)


def _flagged(ctx: Ctx) -> QuerySet[Employment]:
    """`_members` with one flag per fact the trainee, plan and IUP indicators combine, each
    computed once per row (counting several indicators at once, the database evaluates a flag
    once rather than once per indicator):

    - `req`: the employment needs an implementation plan (`_requires_q`);
    - `valid`: an approved plan valid on `at`; `expired`: an approved plan that has expired;
    - `signed`: a fully signed IUP by `at`; `updated`: IUP signed or panel held in 6 months;
    - `supervised`: an active supervisor on `at`.

    With `ctx.facts`, the stored rows (`TraineeFacts`), which hold these flags under the same
    names (computed from this queryset)."""
    if ctx.facts:
        return stored_population(ctx)
    supervisor = Supervision.objects.filter(
        Q(end__isnull=True) | Q(end__gte=ctx.at),
        start__lte=ctx.at,
        trainee_id=OuterRef("trainee_id"),
    )
    return _members(ctx).annotate(
        req=ExpressionWrapper(_requires_q(ctx), output_field=BooleanField()),
        valid=Exists(_valid_plan(ctx)),
        expired=Exists(_approved_by(ctx).filter(valid_until__lt=ctx.at)),
        signed=ExpressionWrapper(Q(trainee_id__in=_signed_iup(ctx)), output_field=BooleanField()),
        updated=ExpressionWrapper(_iup_updated(ctx), output_field=BooleanField()),
        supervised=Exists(supervisor),
    )


def _requires_q(ctx: Ctx) -> Q:
    """The employment needs an implementation plan: permanent, or temporary for at least 6
    months (`plans.rules.plan_required`, as the coordinator's work list decides it; the few
    employments of 180–183 days are decided by the rule itself, in Python, once per context)."""
    from lisplan.plans import rules
    from lisplan.plans.worklist import SIX_MONTHS_MAX, SIX_MONTHS_MIN

    if "short" not in ctx.memo:
        borderline = (
            _members(ctx)
            .filter(permanent=False, length__gte=SIX_MONTHS_MIN, length__lte=SIX_MONTHS_MAX)
            .values_list("pk", "start", "end")
        )
        ctx.memo["short"] = [
            pk for pk, start, end in borderline if not rules.plan_required(False, start, end)
        ]
    q = Q(permanent=True) | Q(end__isnull=True) | Q(length__gte=SIX_MONTHS_MIN)
    if ctx.memo["short"]:
        q &= ~Q(pk__in=ctx.memo["short"])
    return q


def _requires_plan(ctx: Ctx) -> QuerySet[Employment]:
    """Primary employments that need an implementation plan."""
    return _members(ctx).filter(_requires_q(ctx))


def _approved_by(ctx: Ctx):
    from lisplan.plans.models import Revision, Status

    return Revision.objects.filter(
        status__in=(Status.APPROVED, Status.SUPERSEDED),
        approved_at__lt=ctx.end,
        plan__trainee_id=OuterRef("trainee_id"),
        employer_id=OuterRef("institution_id"),
    )


def _valid_plan(ctx: Ctx):
    return _approved_by(ctx).filter(valid_until__gte=ctx.at)


def _signed_iup(ctx: Ctx):
    """Trainee ids with an IUP revision fully signed by the end of `at` (not correlated: the
    database computes the set once)."""
    from lisplan.iup.models import Revision, Status

    signed = Revision.objects.filter(
        status__in=(Status.SIGNED, Status.SUPERSEDED), signed_at__lt=ctx.end
    )
    if ctx.trainees is not None:  # a few trainees: not the whole country's set
        signed = signed.filter(plan__trainee_id__in=ctx.trainees)
    return signed.values("plan__trainee_id")


def _iup_updated(ctx: Ctx, ref: str = "trainee_id") -> Q:
    """An IUP signed, or an assessment panel held, in the 6 months up to `at` (on `ref`)."""
    from lisplan.iup.models import Revision, Status
    from lisplan.progress.models import ActivityKind, ActivityRecord

    panel = ActivityRecord.objects.filter(
        kind=ActivityKind.ASSESSMENT_PANEL, date__gt=ctx.half_year_ago, date__lte=ctx.at
    )
    signed = Revision.objects.filter(
        status__in=(Status.SIGNED, Status.SUPERSEDED),
        signed_at__lt=ctx.end,
        signed_at__gte=end_of(ctx.half_year_ago),
    )
    if ctx.trainees is not None:  # a few trainees: not the whole country's sets
        panel = panel.filter(trainee_id__in=ctx.trainees)
        signed = signed.filter(plan__trainee_id__in=ctx.trainees)
    return Q(**{f"{ref}__in": panel.values("trainee_id")}) | Q(
        **{f"{ref}__in": signed.values("plan__trainee_id")}
    )


def _summaries(ctx: Ctx):
    from lisplan.progress.models import ProgressSummary

    return ProgressSummary.objects.filter(_in_population(ctx))


def _activities(ctx: Ctx, kind: str):
    from lisplan.progress.models import ActivityRecord

    return ActivityRecord.objects.filter(
        _in_population(ctx), kind=kind, date__gt=ctx.year_ago, date__lte=ctx.at
    )


def _requests(ctx: Ctx):
    from lisplan.rotations.models import RotationRequest

    return RotationRequest.objects.filter(_in_population(ctx))


# --- the indicators -------------------------------------------------------------------------

COUNT, SHARE, RATE, MEDIAN = "count", "share", "rate", "median"
HIGHER, LOWER, NEUTRAL = "higher", "lower", "neutral"
UNITS = {COUNT: _("antall"), SHARE: _("andel (%)"), RATE: _("per lege"), MEDIAN: _("måneder")}
DIRECTIONS = {
    HIGHER: _("høyere er bedre"),
    LOWER: _("lavere er bedre"),
    NEUTRAL: _("verken høyere eller lavere er bedre"),
}

# How drill-down rows are read: (trainee field, date field, detail field) on the row model.
TRAINEE_ROW = ("trainee_id", None, None)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    unit: str  # COUNT | SHARE | RATE | MEDIAN
    direction: str  # HIGHER | LOWER | NEUTRAL
    rows: Callable[[Ctx], QuerySet]  # the numerator's rows
    # The denominator: "population" (the trainees in scope), a function giving its rows
    # (counted; or summed over a `weight` annotation), or None (counts and medians).
    denominator: str | Callable[[Ctx], QuerySet] | None = None
    fields: tuple[str, str | None, str | None] = TRAINEE_ROW  # trainee, date, detail
    row_title: str = ""  # what one drill-down row is («lege», «veiledningssamtale» …)
    detail_title: str = ""
    date_title: str = ""
    side: str = "trainee"  # "trainee" | "receiving" (agreement_utilisation)
    measure: Callable[[dict], float] | None = None  # MEDIAN: the value of one row
    weighted: bool = False  # denominator rows carry a `weight`

    @property
    def unit_label(self) -> str:
        return str(UNITS[self.unit])

    @property
    def direction_label(self) -> str:
        return str(DIRECTIONS[self.direction])


def part(base: Callable[[Ctx], QuerySet]):
    """An indicator's rows as a base queryset and a condition: `rows(ctx)` is
    `base(ctx).filter(where(ctx))`. Indicators on the same base are counted together in one
    query (`evaluate_all`: `Count(filter=where)`), from the same definition as their lists."""

    def decorate(where: Callable[[Ctx], Q]) -> Callable[[Ctx], QuerySet]:
        def rows(ctx: Ctx) -> QuerySet:
            return base(ctx).filter(where(ctx))

        rows.base, rows.where = base, where
        rows.__name__ = rows.__qualname__ = where.__name__
        rows.__doc__ = where.__doc__
        return rows

    return decorate


def _activities_12m(ctx: Ctx):
    from lisplan.progress.models import ActivityRecord

    return ActivityRecord.objects.filter(
        _in_population(ctx), date__gt=ctx.year_ago, date__lte=ctx.at
    )


@part(_flagged)
def _plans_missing(ctx):
    return Q(req=True, valid=False)


@part(_flagged)
def _plans_expired(ctx):
    return Q(req=True, valid=False, expired=True)


@part(_flagged)
def _plans_valid(ctx):
    return Q(req=True, valid=True)


@part(_flagged)
def _plans_required(ctx):
    return Q(req=True)


@part(_flagged)
def _all_trainees(ctx):
    return Q()


@part(_flagged)
def _iup_missing(ctx):
    return Q(signed=False)


@part(_flagged)
def _iup_overdue(ctx):
    return Q(signed=True, updated=False)


@part(_summaries)
def _on_track(ctx):
    from lisplan.progress.models import ProgressStatus

    return Q(status__in=(ProgressStatus.ON_TRACK, ProgressStatus.COMPLETE))


@part(_summaries)
def _computed(ctx):
    from lisplan.progress.models import ProgressStatus

    return ~Q(status=ProgressStatus.UNKNOWN)


@part(_summaries)
def _at_risk(ctx):
    from lisplan.progress.models import ProgressStatus

    return Q(status=ProgressStatus.AT_RISK)


@part(_activities_12m)
def _meetings(ctx):
    from lisplan.progress.models import ActivityKind

    return Q(kind=ActivityKind.SUPERVISION_MEETING)


@part(_activities_12m)
def _panels(ctx):
    from lisplan.progress.models import ActivityKind

    return Q(kind=ActivityKind.ASSESSMENT_PANEL)


def _goals_approved(ctx):
    from lisplan.progress.models import GoalApproval, GoalStatus

    return GoalApproval.objects.filter(
        _in_population(ctx),
        status=GoalStatus.APPROVED,
        approved_on__gt=ctx.year_ago,
        approved_on__lte=ctx.at,
    )


@part(_summaries)
def _completions(ctx):
    return Q(projected_completion__gt=ctx.at, projected_completion__lte=ctx.year_ahead)


@part(_requests)
def _queue(ctx):
    from lisplan.rotations.models import QUEUE_STATUSES

    return Q(status__in=QUEUE_STATUSES, forwarded_on__lte=ctx.at)


def _started(ctx):
    from lisplan.rotations.models import Status

    return (
        _requests(ctx)
        .annotate(begun=Coalesce("started_on", "agreed_start"))
        .filter(
            status__in=(Status.START_AGREED, Status.IN_PROGRESS, Status.COMPLETED),
            forwarded_on__isnull=False,
            begun__gt=ctx.year_ago,
            begun__lte=ctx.at,
        )
    )


def _wait_months(row: dict) -> float:
    return round((row["day"] - row["since"]).days / 30.4375, 1)


def _receiving_q(ctx: Ctx, prefix: str) -> Q:
    """The receiving side of agreements and requests in the scope: an arena scope means its
    institution, and its specialty where the arena has one."""
    s = ctx.scope
    q = Q()
    if s.region:
        q &= Q(**{f"{prefix}receiving__region_id": s.region})
    if s.institution:
        q &= Q(**{f"{prefix}receiving_id": s.institution})
    specialty = s.specialty
    if s.arena:
        if "receiving_arena" not in ctx.memo:  # once per computation, not per indicator
            ctx.memo["receiving_arena"] = LearningArena.objects.filter(pk=s.arena).values(
                "institution_id", "specialty_id"
            ).first() or {"institution_id": 0, "specialty_id": None}
        arena = ctx.memo["receiving_arena"]
        q &= Q(**{f"{prefix}receiving_id": arena["institution_id"]})
        specialty = specialty or arena["specialty_id"]
    if specialty:
        q &= Q(**{f"{prefix}specialty_id": specialty})
    return q


def _agreements(ctx):
    from lisplan.rotations.models import CollaborationAgreement

    slots = Greatest(
        Value(1), F("capacity") * Value(12) / F("duration_months"), output_field=IntegerField()
    )
    return (
        CollaborationAgreement.objects.valid_on(ctx.at)
        .filter(_receiving_q(ctx, ""))
        .annotate(weight=slots)
    )


def _occupying(ctx):
    from lisplan.rotations.models import OCCUPYING_STATUSES, RotationRequest

    return (
        RotationRequest.objects.filter(
            _receiving_q(ctx, ""),
            status__in=OCCUPYING_STATUSES,
            # The fence: flattened, PostgreSQL joined each agreement with each institution of
            # the region and probed the requests per pair (10–17 ms in Helse Nord at 7,000
            # trainees); as a set, one pass over the requests (0.4 ms).
            agreement__in=_agreements(ctx).values("pk")[:_FENCE],
        )
        .annotate(begins=Coalesce("started_on", "agreed_start", "desired_start"))
        .filter(begins__lt=ctx.year_ahead)
    )


@part(_requests)
def _offered(ctx):
    return Q(offered_on__gt=ctx.year_ago, offered_on__lte=ctx.at)


@part(_requests)
def _declined(ctx):
    from lisplan.rotations.models import Status

    return Q(offered_on__gt=ctx.year_ago, offered_on__lte=ctx.at, status=Status.DECLINED)


@part(_flagged)
def _complete(ctx):
    """The 1 March / 1 September rule (seed 003): on the harvest date the trainee's data are
    complete — a valid implementation plan where one is required, a signed IUP updated (signed
    or assessment panel) in the last 6 months, and an active supervisor."""
    return (Q(req=False) | Q(valid=True)) & Q(signed=True, updated=True, supervised=True)


_EMP = ("trainee_id", None, None)
_SUMMARY = ("trainee_id", None, None)
_REQUEST = ("trainee_id", None, "receiving__name")

INDICATORS: list[Indicator] = [
    Indicator(
        "trainees",
        _("Leger i spesialisering"),
        _(
            "Leger med en pågående ansettelse i enheten på datoen (hver lege telles én gang, "
            "der hovedansettelsen er)."
        ),
        COUNT,
        NEUTRAL,
        _all_trainees,
        row_title=_("lege"),
    ),
    Indicator(
        "plans_missing",
        _("Mangler gyldig gjennomføringsplan"),
        _(
            "Leger som skal ha individuell gjennomføringsplan (fast ansatt, eller vikariat på "
            "minst 6 måneder) og ikke har en godkjent plan som gjelder på datoen, av dem som "
            "skal ha plan."
        ),
        COUNT,
        LOWER,
        _plans_missing,
        denominator=_plans_required,
        fields=_EMP,
        row_title=_("lege"),
    ),
    Indicator(
        "plans_expired",
        _("Utløpt gjennomføringsplan"),
        _(
            "Leger som skal ha gjennomføringsplan og bare har en godkjent plan som er utløpt "
            "(godkjenningen varer i 12 måneder)."
        ),
        COUNT,
        LOWER,
        _plans_expired,
        denominator=_plans_required,
        fields=_EMP,
        row_title=_("lege"),
    ),
    Indicator(
        "plans_valid_share",
        _("Andel med gyldig gjennomføringsplan"),
        _(
            "Leger med godkjent gjennomføringsplan som gjelder på datoen, delt på leger som skal "
            "ha plan."
        ),
        SHARE,
        HIGHER,
        _plans_valid,
        denominator=_plans_required,
        fields=_EMP,
        row_title=_("lege"),
    ),
    Indicator(
        "iup_missing",
        _("Mangler signert utdanningsplan (IUP)"),
        _("Leger uten en ferdig signert individuell utdanningsplan på datoen."),
        COUNT,
        LOWER,
        _iup_missing,
        denominator="population",
        row_title=_("lege"),
    ),
    Indicator(
        "iup_overdue",
        _("Utdanningsplan ikke oppdatert siste 6 måneder"),
        _(
            "Leger med signert IUP der verken en ny signert revisjon eller et "
            "vurderingskollegium er registrert de siste 6 månedene før datoen."
        ),
        COUNT,
        LOWER,
        _iup_overdue,
        denominator="population",
        row_title=_("lege"),
    ),
    Indicator(
        "progress_on_track_share",
        _("Andel i rute"),
        _(
            "Leger med progresjon «i rute» eller «fullført», delt på leger med beregnet "
            "progresjon (dagens progresjonssammendrag)."
        ),
        SHARE,
        HIGHER,
        _on_track,
        denominator=_computed,
        fields=_SUMMARY,
        row_title=_("lege"),
    ),
    Indicator(
        "progress_at_risk",
        _("I faresonen"),
        _("Leger med progresjon «i faresonen» (dagens progresjonssammendrag)."),
        COUNT,
        LOWER,
        _at_risk,
        denominator="population",
        fields=_SUMMARY,
        row_title=_("lege"),
    ),
    Indicator(
        "supervision_meetings_per_trainee_12m",
        _("Veiledningssamtaler per lege, siste 12 mnd."),
        _(
            "Registrerte veiledningssamtaler de siste 12 månedene til og med datoen, delt på "
            "antall leger (anbefalt: månedlig)."
        ),
        RATE,
        HIGHER,
        _meetings,
        denominator="population",
        fields=("trainee_id", "date", "title"),
        row_title=_("veiledningssamtale"),
        date_title=_("Dato"),
        detail_title=_("Beskrivelse"),
    ),
    Indicator(
        "assessment_panels_per_trainee_12m",
        _("Vurderingskollegier per lege, siste 12 mnd."),
        _(
            "Registrerte vurderingskollegier de siste 12 månedene til og med datoen, delt på "
            "antall leger (anbefalt: minst to i året)."
        ),
        RATE,
        HIGHER,
        _panels,
        denominator="population",
        fields=("trainee_id", "date", "title"),
        row_title=_("vurderingskollegium"),
        date_title=_("Dato"),
        detail_title=_("Beskrivelse"),
    ),
    Indicator(
        "goals_approved_12m",
        _("Godkjente læringsmål, siste 12 mnd."),
        _("Læringsmål godkjent de siste 12 månedene til og med datoen."),
        COUNT,
        HIGHER,
        _goals_approved,
        fields=("trainee_id", "approved_on", "goal__code"),
        row_title=_("godkjent læringsmål"),
        date_title=_("Godkjent"),
        detail_title=_("Læringsmål"),
    ),
    Indicator(
        "projected_completions_12m",
        _("Forventet ferdige neste 12 mnd."),
        _(
            "Leger med forventet ferdig dato (progresjonssammendraget) de neste 12 månedene "
            "etter datoen."
        ),
        COUNT,
        NEUTRAL,
        _completions,
        fields=("trainee_id", "projected_completion", None),
        row_title=_("lege"),
        date_title=_("Forventet ferdig"),
    ),
    Indicator(
        "queue_length",
        _("Ønsker i kø"),
        _(
            "Ønsker om spesialiseringsperiode som er sendt til mottakende foretak og venter på "
            "tilbud eller svar (fiktiv enhet)."
        ),
        COUNT,
        LOWER,
        _queue,
        fields=("trainee_id", "forwarded_on", "receiving__name"),
        row_title=_("ønske"),
        date_title=_("I kø fra"),
        detail_title=_("Mottaker"),
    ),
    Indicator(
        "median_wait_months",
        _("Ventetid til oppstart (median)"),
        _(
            "Median tid i måneder fra registrering hos mottaker (ansiennitet) til oppstart, for "
            "spesialiseringsperioder som startet de siste 12 månedene."
        ),
        MEDIAN,
        LOWER,
        _started,
        fields=("trainee_id", "begun", "receiving__name"),
        row_title=_("spesialiseringsperiode"),
        date_title=_("Oppstart"),
        detail_title=_("Mottaker"),
        measure=_wait_months,
    ),
    Indicator(
        "agreement_utilisation",
        _("Utnyttelse av fagavtaler, neste 12 mnd."),
        _(
            "Spesialiseringsperioder (akseptert, avtalt eller pågående) som bruker en fagavtale "
            "med enheten som mottaker og starter før det er gått 12 måneder, delt på antall "
            "perioder avtalene gir rom for på 12 måneder (kapasitet × 12 / normert varighet)."
        ),
        SHARE,
        HIGHER,
        _occupying,
        denominator=_agreements,
        fields=("trainee_id", "begins", "sending__name"),
        row_title=_("spesialiseringsperiode"),
        date_title=_("Oppstart"),
        detail_title=_("Avgivende foretak"),
        side="receiving",
        weighted=True,
    ),
    Indicator(
        "offers_declined_share",
        _("Andel tilbud som ble avslått"),
        _(
            "Tilbud om gjennomstrømningsstilling gitt de siste 12 månedene som legen takket nei "
            "til, delt på alle tilbud gitt i perioden."
        ),
        SHARE,
        LOWER,
        _declined,
        denominator=_offered,
        fields=("trainee_id", "offered_on", "receiving__name"),
        row_title=_("tilbud"),
        date_title=_("Tilbudt"),
        detail_title=_("Mottaker"),
    ),
    Indicator(
        "data_complete_share",
        _("Andel med komplette data (1. mars / 1. september)"),
        _(
            "Leger med gyldig gjennomføringsplan (der det kreves), signert IUP oppdatert siste 6 "
            "måneder og aktiv veileder på datoen, delt på alle leger — kravet om at dataene skal "
            "være fullstendige 1. mars og 1. september."
        ),
        SHARE,
        HIGHER,
        _complete,
        denominator="population",
        row_title=_("lege"),
    ),
]
BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}


# --- values ---------------------------------------------------------------------------------


@dataclass
class Value_:
    """One indicator's value for one scope and date."""

    indicator: Indicator
    value: float | int | None
    numerator: int
    denominator: int | None
    suppressed: bool = False
    change: float | None = None  # since the previous harvest
    previous: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.indicator.code


def compute(
    indicator: Indicator,
    numerator: int,
    denominator: int | None,
    measures: list[float] | None = None,
) -> float | int | None:
    """The value from the numerator and denominator (and, for medians, the rows' measures)."""
    if indicator.unit == COUNT:
        return numerator
    if indicator.unit == MEDIAN:
        return round(statistics.median(measures), 1) if measures else None
    if not denominator:
        return None
    if indicator.unit == SHARE:
        return round(numerator / denominator, 4)
    return round(numerator / denominator, 2)


def row_values(indicator: Indicator, qs: QuerySet):
    """The numerator rows as dicts: oid (the row's id), tid (trainee), day, info; medians also
    `since` (registration date)."""
    from lisplan.insights.models import TraineeFacts

    trainee, day, info = indicator.fields
    # A stored fact stands for the primary employment, as the live row does.
    oid = F("employment_id") if qs.model is TraineeFacts else F("pk")
    values = {"oid": oid, "tid": F(trainee)}
    if day:
        values["day"] = F(day)
    if info:
        values["info"] = F(info)
    if indicator.measure is not None:
        values["since"] = F("forwarded_on")
    return qs.values(**values)


def numerator_rows(indicator: Indicator, ctx: Ctx) -> QuerySet:
    return indicator.rows(ctx)


def denominator_count(
    indicator: Indicator, ctx: Ctx, population_count: int | None, memo: dict | None = None
) -> int | None:
    """The denominator; `memo` shares it between indicators with the same one (the three plan
    indicators) within one computation."""
    d = indicator.denominator
    if d is None:
        return None
    if d == "population":
        return population_count if population_count is not None else population(ctx).count()
    if memo is not None and d in memo:
        return memo[d]
    qs = d(ctx)
    count = int(qs.aggregate(s=Sum("weight"))["s"] or 0) if indicator.weighted else qs.count()
    if memo is not None:
        memo[d] = count
    return count


def evaluate(
    indicator: Indicator, ctx: Ctx, population_count: int | None = None, memo: dict | None = None
) -> Value_:
    """The live value of one indicator: the numerator is the count of its rows."""
    rows = indicator.rows(ctx)
    measures = None
    if indicator.unit == MEDIAN:
        data = list(row_values(indicator, rows))
        measures = [indicator.measure(r) for r in data]
        numerator = len(data)
    else:
        numerator = rows.count()
    denominator = denominator_count(indicator, ctx, population_count, memo)
    return Value_(
        indicator, compute(indicator, numerator, denominator, measures), numerator, denominator
    )


@contextmanager
def no_jit():
    """PostgreSQL's JIT compiler turns on for these counts (their estimated cost is high) and
    spends more time compiling (≈ 0.4 s on the region's completeness count) than the query
    takes to run; switched off for the transaction (`SET LOCAL`). Nothing on other databases."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


# The indicators counting rows of their own per trainee whose per-trainee counts are stored in
# `TraineeFacts` (the column; computed from these same querysets, `insights.facts`).
STORED_COUNTS: dict[Callable, str] = {
    _meetings: "meetings",
    _panels: "panels",
    _goals_approved: "goals",
}


# The bases whose rows are one per trainee, copied into `TraineeFacts`: their conditions apply
# to the facts (same column names) where the trainee has a row in the base.
STORED_BASES: dict[Callable, Q] = {_summaries: Q(status__isnull=False)}


def evaluate_all(scope: Scope, at: dt.date, codes: list[str] | None = None) -> list[Value_]:
    """Every (or the chosen) indicator for one scope and date. For today from the stored facts
    (`TraineeFacts`, brought up to date first); for any other date from the live queries (the
    definitions the facts are computed from), without PostgreSQL's JIT."""
    ctx = context(scope, at)
    if ctx.facts:  # short queries over the stored rows: no JIT risk, no transaction to pay for
        return _evaluate_all(ctx, codes)
    with no_jit():
        return _evaluate_all(ctx, codes)


def context(scope: Scope, at: dt.date) -> Ctx:
    """The context for the values and lists of `scope` on `at`: today's on the stored facts
    (brought up to date first), any other date's live."""
    from django.utils import timezone

    from lisplan.insights import facts

    if at == timezone.localdate():
        facts.ensure_fresh(at)
        return Ctx.of(scope, at, facts=True)
    return Ctx.of(scope, at)


def _evaluate_all(ctx: Ctx, codes: list[str] | None = None) -> list[Value_]:
    """Numerators and denominators on the same base queryset (`part`) are counted in one query
    per base — the same conditions as their lists — the others one by one (`evaluate`). On the
    stored facts, the counts in `STORED_COUNTS` are sums, and the conditions on the bases in
    `STORED_BASES` counts, on the facts' base (`_flagged`): one query for all of them."""
    from django.db.models import Count

    chosen = [BY_CODE[c] for c in codes] if codes else INDICATORS
    wanted: dict[Callable, dict[str, Callable]] = {}

    def want(rows) -> bool:
        base = getattr(rows, "base", None)
        if ctx.facts and (rows in STORED_COUNTS or base in STORED_BASES):
            base = _flagged
        if base is None:
            return False
        wanted.setdefault(base, {})[f"n{len(wanted.get(base, ()))}_{rows.__name__}"] = rows
        return True

    want(_all_trainees)
    for ind in chosen:
        if ind.unit != MEDIAN:
            want(ind.rows)
        if callable(ind.denominator) and not ind.weighted:
            want(ind.denominator)
    counts: dict[Callable, int] = {}
    for base, parts in wanted.items():
        aggregates = {}
        for key, rows in parts.items():
            if ctx.facts and rows in STORED_COUNTS:
                aggregates[key] = Coalesce(Sum(STORED_COUNTS[rows]), 0)
                continue
            where = rows.where(ctx)
            if ctx.facts and rows.base in STORED_BASES:
                where &= STORED_BASES[rows.base]
            aggregates[key] = Count("pk", filter=where) if where else Count("pk")
        qs = base(ctx).order_by()
        if base is _flagged and not ctx.facts:
            # The fence keeps PostgreSQL from inlining each flag into every FILTER that reads it
            # (it evaluated the plan and IUP subqueries once per indicator, not once per row).
            qs = qs[:_FENCE]
        result = qs.aggregate(**aggregates)
        for key, rows in parts.items():
            counts[rows] = result[key]
    pop = counts[_all_trainees]
    out = []
    for ind in chosen:
        if ind.rows in counts:
            d = ind.denominator
            if d is None:
                den = None
            elif d == "population":
                den = pop
            elif d in counts:
                den = counts[d]
            else:
                den = denominator_count(ind, ctx, pop)
            num = counts[ind.rows]
            out.append(Value_(ind, compute(ind, num, den), num, den))
        else:
            out.append(evaluate(ind, ctx, pop))
    return out
