"""Reads of education plans shared by pages, the API and the start page, always scoped to the
user. The work list and the completeness report are computed for every trainee in scope with a
fixed number of queries (deadlines come from the pure `rules.deadline`), then paged."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lisplan.accounts.access import get_in_scope, once_per_request, own_trainee_id, scope_filter
from lisplan.iup import rules
from lisplan.iup.models import (
    EducationPlan,
    Meeting,
    Revision,
    Signature,
    Status,
    SupervisorRow,
)
from lisplan.trainees.models import Employment, LeavePeriod, Supervision, Trainee

OPEN = (Status.DRAFT, Status.AWAITING_SIGNATURES)
DONE = (Status.SIGNED, Status.SUPERSEDED)


def revision_qs() -> QuerySet[Revision]:
    return Revision.objects.select_related(
        "plan__trainee",
        "plan__employment__institution",
        "plan__employment__specialty",
        "plan__employment__arena",
        "template_applied",
    ).prefetch_related(
        "supervisors",
        "meetings",
        "periods",
        Prefetch("signatures", queryset=Signature.objects.select_related("user")),
    )


def revision_in_scope(user, permission: str, pk: int) -> Revision:
    return get_in_scope(user, permission, revision_qs(), pk=pk)


def revision_in_scope_light(user, permission: str, pk: int) -> Revision:
    """The revision with its plan and trainee only (a download of a stored file)."""
    return get_in_scope(user, permission, Revision.objects.select_related("plan__trainee"), pk=pk)


def trainee_in_scope(user, permission: str, pk: int) -> Trainee:
    return get_in_scope(user, permission, Trainee.objects.all(), pk=pk)


def plans_of(trainee: Trainee) -> list[EducationPlan]:
    return list(
        trainee.education_plans.select_related(
            "employment__institution", "employment__specialty", "employment__arena"
        ).prefetch_related(Prefetch("revisions", queryset=Revision.objects.order_by("-number")))
    )


def current_revision(plan: EducationPlan) -> Revision | None:
    """The revision to show: the open one (draft/signing) if any, else the latest signed."""
    revisions = list(plan.revisions.all())
    return revisions[0] if revisions else None


def awaiting_my_signature(user) -> QuerySet[Revision]:
    """Revisions awaiting signatures in scope for `iup.sign` that the user has not signed."""
    qs = scope_filter(user, "iup.sign", Revision.objects.filter(status=Status.AWAITING_SIGNATURES))
    return (
        qs.exclude(signatures__user=user)
        .select_related("plan__trainee")
        # what the lists show: a revision's row is wide (the plan's texts)
        .only(*LIST_FIELDS)
        .order_by("submitted_at", "pk")
    )


def to_sign_count(user) -> int:
    """How many revisions await the user's signature, once per request (kept on the user): the
    start page's task and the leader's and supervisor's cards both show it."""
    return once_per_request(user, "iups_to_sign", awaiting_my_signature(user).count)


LIST_FIELDS = (
    "plan__trainee__first_name",
    "plan__trainee__last_name",
    "number",
    "status",
    "submitted_at",
)


# --- deadlines for many trainees ------------------------------------------------------------


@dataclass
class TraineeDeadline:
    trainee_id: int
    deadline: rules.Deadline
    employment: dict | None
    last_signed: dt.date | None
    open_status: str = ""
    open_revision: int | None = None
    latest_revision: int | None = None
    trainee: Trainee | None = None  # filled for the rows of a page
    missing: list = field(default_factory=list)
    # the first day on which an input that moves with the date changes the deadline (a planned
    # panel passes, the employment ends, a panel or leave leaves the look-back window)
    fresh_until: dt.date | None = None

    @property
    def state(self) -> str:
        return self.deadline.state


PANEL_WINDOW_DAYS = 730
LEAVE_WINDOW_DAYS = 365


def deadlines(trainees: QuerySet[Trainee], today: dt.date) -> dict[int, TraineeDeadline]:
    """{trainee id: deadline} for every trainee of the (scoped) queryset: seven queries.

    Pages read the stored result (`DeadlineSummary`, kept by `iup.deadlines`) instead of
    calling this for a whole region."""
    ids_q = trainees.order_by().values("pk")
    employments: dict[int, dict] = {}
    ends: dict[int, list[dt.date]] = defaultdict(list)
    for row in (
        Employment.objects.not_ended(today)
        .filter(trainee_id__in=ids_q)
        .order_by("start", "pk")
        .values("pk", "trainee_id", "start", "end", "institution_id", "specialty_id", "arena_id")
    ):
        employments[row["trainee_id"]] = row  # the latest start wins
        if row["end"] is not None:
            ends[row["trainee_id"]].append(row["end"] + dt.timedelta(days=1))
    signed = dict(
        Revision.objects.filter(plan__trainee_id__in=ids_q, status__in=DONE)
        .values("plan__trainee_id")
        .annotate(last=Max("signed_at"))
        .values_list("plan__trainee_id", "last")
    )
    latest: dict[int, tuple[int, str, dt.date | None]] = {}
    for pk, tid, status, next_panel in (
        Revision.objects.filter(plan__trainee_id__in=ids_q)
        .order_by("plan__trainee_id", "-plan__created_at", "-number")
        .values_list("pk", "plan__trainee_id", "status", "next_panel")
    ):
        latest.setdefault(tid, (pk, status, next_panel))
    planned_panels: dict[int, dt.date] = dict(
        Meeting.objects.filter(
            revision__plan__trainee_id__in=ids_q,
            kind=Meeting.Kind.ASSESSMENT_PANEL,
            date__gte=today,
            revision__status__in=DONE + OPEN,
        )
        .values("revision__plan__trainee_id")
        .annotate(first=Min("date"))
        .values_list("revision__plan__trainee_id", "first")
    )
    from lisplan.progress.models import ActivityKind, ActivityRecord

    panels: dict[int, list[dt.date]] = defaultdict(list)
    changes: dict[int, list[dt.date]] = defaultdict(list)
    for tid, day in ActivityRecord.objects.filter(
        trainee_id__in=ids_q,
        kind=ActivityKind.ASSESSMENT_PANEL,
        date__gte=today - dt.timedelta(days=PANEL_WINDOW_DAYS),
    ).values_list("trainee_id", "date"):
        if day <= today:
            panels[tid].append(day)
            changes[tid].append(day + dt.timedelta(days=PANEL_WINDOW_DAYS + 1))
        else:  # registered ahead: counts from its day
            changes[tid].append(day)
    leave: dict[int, list[rules.LeaveSpan]] = defaultdict(list)
    for tid, start, end in LeavePeriod.objects.filter(
        trainee_id__in=ids_q, end__gte=today - dt.timedelta(days=LEAVE_WINDOW_DAYS)
    ).values_list("trainee_id", "start", "end"):
        leave[tid].append(rules.LeaveSpan(start, end))
        changes[tid].append(end + dt.timedelta(days=LEAVE_WINDOW_DAYS + 1))

    out = {}
    for tid in trainees.order_by().values_list("pk", flat=True):
        emp = employments.get(tid)
        last = signed.get(tid)
        last_day = timezone.localdate(last) if last else None
        rev_pk, status, next_panel = latest.get(tid, (None, "", None))
        planned = [d for d in (next_panel, planned_panels.get(tid)) if d and d >= today]
        inp = rules.DeadlineInput(
            today=today,
            employment_start=emp["start"] if emp else None,
            employment_end=emp["end"] if emp else None,
            last_signed=last_day,
            panels_held=tuple(panels[tid]),
            next_panel=min(planned, default=None),
            leave=tuple(leave[tid]),
        )
        moves = changes[tid] + ends[tid] + [d + dt.timedelta(days=1) for d in planned]
        out[tid] = TraineeDeadline(
            trainee_id=tid,
            deadline=rules.deadline(inp),
            employment=emp,
            last_signed=last_day,
            open_status=status if status in OPEN else "",
            open_revision=rev_pk if status in OPEN else None,
            latest_revision=rev_pk,
            fresh_until=min(moves, default=None),
        )
    return out


def deadline_for(trainee: Trainee, today: dt.date) -> TraineeDeadline:
    return deadlines(Trainee.objects.filter(pk=trainee.pk), today)[trainee.pk]


def stored_deadline_for(trainee_id: int, today: dt.date) -> TraineeDeadline:
    """One trainee's deadline read from `DeadlineSummary`, recomputed first when missing or
    out of date (`deadlines.ensure_fresh` for one row): one query instead of `deadline_for`'s
    seven (the start page, the revision page)."""
    from lisplan.iup import deadlines as stored
    from lisplan.iup.models import DeadlineSummary

    rows = DeadlineSummary.objects.filter(trainee_id=trainee_id).annotate(
        state=stored.state_case(today)
    )
    row = rows.filter(stored.current(today)).first()
    if row is None:
        stored.refresh([trainee_id], today)
        row = rows.get()
    return _row(row)


def own_deadline(user, today: dt.date) -> TraineeDeadline | None:
    """The user's own IUP deadline (None: not a trainee), once per request (kept on the user):
    the start page's IUP task and the trainee's card both show it."""
    own = own_trainee_id(user)
    if own is None:
        return None
    kept = getattr(user, "_lisplan_own_deadline", None)
    if kept is None or kept[0] != today:
        kept = user._lisplan_own_deadline = (today, stored_deadline_for(own, today))
    return kept[1]


# --- the work list -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    q: str = ""
    institution: int | None = None
    specialty: str | None = None
    state: str = "attention"  # "attention" (overdue+missing+due soon) | a Deadline state | "all"


STATES = ("missing", "overdue", "due_soon", "ok", "none")


def _scoped_trainees(user, filters: Filters) -> QuerySet[Trainee]:
    from lisplan.trainees.queries import _search

    qs = scope_filter(user, "iup.report", Trainee.objects.all())
    if filters.q.strip():
        qs = qs.filter(_search(filters.q))
    emp = Q()
    if filters.institution is not None:
        emp &= Q(institution_id=filters.institution)
    if filters.specialty:
        emp &= Q(specialty__code=filters.specialty)
    if emp:
        qs = qs.filter(pk__in=Employment.objects.not_ended().filter(emp).values("trainee_id"))
    return qs


class DeadlineRows:
    """The work list's rows for one filter, lazily: `len()` is a COUNT and a slice reads only
    that page from `DeadlineSummary` (sorted by due date in the database), so a paginator
    over it costs two small queries whatever the size of the scope."""

    def __init__(self, qs: QuerySet):
        self.qs = qs
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.qs.count()
        return self._count

    __len__ = count

    def __iter__(self):
        return iter(self[0 : self.count()])

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_row(s) for s in self.qs[index]]
        return _row(self.qs[index])


def _row(s) -> TraineeDeadline:
    return TraineeDeadline(
        trainee_id=s.trainee_id,
        deadline=rules.Deadline(s.due, s.reason, s.state),
        employment=None,
        last_signed=s.last_signed,
        open_status=s.open_status,
        open_revision=s.open_revision_id,
        latest_revision=s.latest_revision_id,
        fresh_until=s.fresh_until,
    )


def summaries(trainees: QuerySet[Trainee], today: dt.date) -> QuerySet:
    """The stored deadlines of these trainees (brought up to date first), with `state`."""
    from lisplan.iup import deadlines as stored
    from lisplan.iup.models import DeadlineSummary

    stored.ensure_fresh(trainees, today)
    return DeadlineSummary.objects.filter(trainee_id__in=trainees.order_by().values("pk")).annotate(
        state=stored.state_case(today)
    )


def state_counts(trainees: QuerySet[Trainee], today: dt.date) -> dict[str, int]:
    """Trainees per deadline state, plus «attention» and «all»: one aggregate query."""
    from django.db.models import Count

    from lisplan.iup import deadlines as stored

    qs = summaries(trainees, today)
    counts = qs.aggregate(**{s: Count("pk", filter=stored.state_filter(s, today)) for s in STATES})
    counts["attention"] = counts["missing"] + counts["overdue"] + counts["due_soon"]
    counts["all"] = sum(counts[s] for s in STATES)
    return counts


def work_list(user, filters: Filters, today: dt.date) -> tuple[DeadlineRows, dict[str, int]]:
    """Rows for the filter's state (sorted by due date, lazily paged), and counts per state."""
    from lisplan.iup import deadlines as stored

    trainees = _scoped_trainees(user, filters)
    counts = state_counts(trainees, today)
    if filters.state == "attention":
        wanted = ("missing", "overdue", "due_soon")
    elif filters.state == "all":
        wanted = STATES
    else:
        wanted = (filters.state,) if filters.state in STATES else ()
    cond = Q(pk__in=[])
    for s in wanted:
        cond |= stored.state_filter(s, today)
    from django.db.models import F

    qs = (
        summaries(trainees, today)
        .filter(cond)
        .order_by(F("due").asc(nulls_last=True), "trainee_id")
    )
    return DeadlineRows(qs), counts


def attention_count(user, today: dt.date) -> int:
    """Missing + overdue plans in the user's scope (the start page): one COUNT."""
    from lisplan.iup import deadlines as stored

    trainees = _scoped_trainees(user, Filters())
    return (
        summaries(trainees, today)
        .filter(stored.state_filter("missing", today) | stored.state_filter("overdue", today))
        .count()
    )


def attach_trainees(rows: list[TraineeDeadline]) -> list[TraineeDeadline]:
    """Fill `trainee` (with current employments) for the rows of one page: two queries."""
    from lisplan.trainees.queries import current_employments

    by_id = Trainee.objects.prefetch_related(current_employments()).in_bulk(
        [r.trainee_id for r in rows]
    )
    for r in rows:
        r.trainee = by_id.get(r.trainee_id)
    return rows


# --- the 1 March / 1 September completeness report -------------------------------------------


@dataclass
class ReportRow:
    trainee_id: int
    problems: list[str]
    revision_id: int | None = None
    trainee: Trainee | None = None


def completeness(
    user, on: dt.date, filters: Filters, today: dt.date
) -> tuple[list[ReportRow], dict[str, int]]:
    """Trainees in scope whose IUP or its data will be incomplete on `on` (a 1 March or
    1 September): no plan, not signed, due for revision by then, required fields missing, no
    active supervisor. Counts per kind of problem."""
    trainees = _scoped_trainees(user, filters)
    dl = {
        tid: (rules.Deadline(due, reason, state), employed)
        for tid, due, reason, state, employed in summaries(trainees, today).values_list(
            "trainee_id", "due", "reason", "state", "employed"
        )
    }
    ids_q = trainees.order_by().values("pk")
    latest: dict[int, dict] = {}
    for r in _report_revisions(ids_q):
        latest.setdefault(r["plan__trainee_id"], r)
    supervised = set(
        Supervision.objects.filter(
            Q(end__isnull=True) | Q(end__gte=on), trainee_id__in=ids_q, start__lte=on
        ).values_list("trainee_id", flat=True)
    )
    counts = {"no_plan": 0, "unsigned": 0, "due": 0, "fields": 0, "no_supervisor": 0}
    rows = []
    # translated once per report, not once per trainee (a region has 7,000)
    no_plan = _("Har ingen individuell utdanningsplan.")
    unsigned = _("Revisjon %(n)s er ikke ferdig signert (%(status)s).")
    overdue = _("Revisjonen er forfalt: fristen var %(due)s (%(reason)s).")
    due_by = _("Må revideres innen %(due)s (%(reason)s).")
    no_supervisor = _("Har ingen aktiv veileder registrert.")
    status_labels = {value: str(label) for value, label in Status.choices}
    reason_labels: dict[str, str] = {}
    for tid, (d, employed) in dl.items():
        if not employed:
            continue
        problems: list[str] = []
        rev = latest.get(tid)
        if rev is None:
            problems.append(no_plan)
            counts["no_plan"] += 1
        else:
            if rev["status"] != Status.SIGNED:
                problems.append(
                    unsigned
                    % {
                        "n": rev["number"],
                        "status": status_labels.get(rev["status"], rev["status"]),
                    }
                )
                counts["unsigned"] += 1
            gaps = rules.missing_fields(rev["plan__kind"], _report_values(rev))
            if gaps:
                counts["fields"] += 1
                problems += [g.message for g in gaps]
        if rev is not None and d.due and d.due < on and d.state != "missing":
            reason = d.reason
            if reason not in reason_labels:
                reason_labels[reason] = d.label
            text = overdue if d.due < today else due_by
            problems.append(
                text % {"due": d.due.strftime("%d.%m.%Y"), "reason": reason_labels[reason]}
            )
            counts["due"] += 1
        if tid not in supervised:
            problems.append(no_supervisor)
            counts["no_supervisor"] += 1
        if problems:
            rows.append(ReportRow(tid, problems, rev["pk"] if rev else None))
    names = dict(
        (pk, (last, first))
        for pk, last, first in trainees.order_by().values_list("pk", "last_name", "first_name")
    )
    rows.sort(key=lambda r: (names.get(r.trainee_id, ("", "")), r.trainee_id))
    return rows, counts


# The report checks every trainee in scope (a whole region: 7,000), so it reads only the
# required fields as plain values and whether the child tables have rows (two EXISTS) instead
# of loading each revision as a model with all its fields and prefetching its supervisors and
# meetings (≈ 50,000 rows: 11 s at 7,000 trainees, see docs/performance.md). `_report_values` gives `rules.missing_fields`
# the same answer as `services.completeness_values` (tests/iup/test_report_queries.py pins
# it).
_REPORT_CHILDREN = ("supervisors", "meetings")
_REPORT_FIELDS = tuple(
    sorted(
        {name for _s, name, _l in rules.REQUIRED_HOSPITAL + rules.REQUIRED_ALIS}
        - set(_REPORT_CHILDREN)
    )
)


def _report_revisions(ids_q) -> QuerySet:
    """The non-superseded revisions of the trainees, newest first per trainee, as dicts."""
    return (
        Revision.objects.filter(plan__trainee_id__in=ids_q)
        .exclude(status=Status.SUPERSEDED)
        .annotate(
            has_supervisors=Exists(SupervisorRow.objects.filter(revision=OuterRef("pk"))),
            has_supervision_meetings=Exists(
                Meeting.objects.filter(revision=OuterRef("pk"), kind=Meeting.Kind.SUPERVISION)
            ),
        )
        .order_by("plan__trainee_id", "-plan__created_at", "-number")
        .values(
            "pk",
            "number",
            "status",
            "plan__kind",
            "plan__trainee_id",
            "has_supervisors",
            "has_supervision_meetings",
            *_REPORT_FIELDS,
        )
    )


def _report_values(row: dict) -> dict:
    values = {name: row[name] for name in _REPORT_FIELDS}
    values["supervisors"] = [True] if row["has_supervisors"] else []
    values["meetings"] = [True] if row["has_supervision_meetings"] else []
    return values


def attach_report_trainees(rows: list[ReportRow]) -> list[ReportRow]:
    from lisplan.trainees.queries import current_employments

    by_id = Trainee.objects.prefetch_related(current_employments()).in_bulk(
        [r.trainee_id for r in rows]
    )
    for r in rows:
        r.trainee = by_id.get(r.trainee_id)
    return rows
