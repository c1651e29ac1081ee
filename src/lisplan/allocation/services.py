"""Every write for allocation runs: start a run, execute it (the background task's body), and
turn proposed starts into offers in the register.

A run is executed by `execute(run_id)`: build the instance from the register
(`build.build_instance`), run `engine.solve`, check the chosen plan with the engine's validator
(rules, fairness guard, reported inversions), store the result and one `Proposal` per request.
Progress is written to the run row as the engine reports it (throttled), so the page can poll.
Whatever goes wrong ends the run as failed with a message a coordinator can read; a run never
stays «running» because of an exception.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.accounts.access import (
    can,
    can_run_allocation,
    has_permission,
    regions_with,
)
from lisplan.allocation import engine, marginal
from lisplan.allocation.build import agreement_key, build_instance, key_pk, month_date
from lisplan.allocation.instance import Instance, Plan
from lisplan.allocation.models import (
    MAX_DELAY_MONTHS,
    MAX_QUEUE_WEIGHT,
    MAX_TIME_LIMIT,
    MIN_QUEUE_WEIGHT,
    MIN_TIME_LIMIT,
    AllocationPolicy,
    AllocationRun,
    Proposal,
)
from lisplan.allocation.parse import InvalidFile
from lisplan.allocation.rules import own_starts
from lisplan.allocation.validate import violations
from lisplan.audit.services import diff, record, snapshot
from lisplan.errors import Conflict, Invalid, Refused
from lisplan.notifications.services import notify
from lisplan.rotations import services as rotation_services
from lisplan.rotations.models import RotationRequest, Status
from lisplan.ui import numbers

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5


class AllocationError(Invalid):
    """Input or a state that does not allow the action; the message says why, in Norwegian."""


# --- who may run what ---------------------------------------------------------------------


def runnable_regions(user):
    """The regions the user may start runs for."""
    return regions_with(user, "allocation.run")


def policy_regions(user):
    """The regions whose allocation policy the user may change (`allocation.policy`)."""
    return regions_with(user, "allocation.policy")


# --- starting a run -----------------------------------------------------------------------


def validate_settings(max_delay_months, time_limit) -> None:
    if not isinstance(max_delay_months, int) or not 0 <= max_delay_months <= MAX_DELAY_MONTHS:
        raise AllocationError(
            _("Største forsinkelse må være et helt antall måneder fra 0 til %(max)d.")
            % {"max": MAX_DELAY_MONTHS},
            "out_of_range",
            "max_delay_months",
        )
    if not isinstance(time_limit, int) or not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        raise AllocationError(
            _("Tidsgrensen må være et helt antall sekunder fra %(min)d til %(max)d.")
            % {"min": MIN_TIME_LIMIT, "max": MAX_TIME_LIMIT},
            "out_of_range",
            "time_limit",
        )


def validate_queue_weight(queue_weight) -> None:
    if (
        isinstance(queue_weight, bool)
        or not isinstance(queue_weight, int | float)
        or not MIN_QUEUE_WEIGHT <= queue_weight <= MAX_QUEUE_WEIGHT
    ):  # NaN fails too
        raise AllocationError(
            _("Køvekten må være et tall fra %(min)s til %(max)s.")
            % {"min": f"{MIN_QUEUE_WEIGHT:g}", "max": f"{MAX_QUEUE_WEIGHT:g}"},
            "out_of_range",
            "queue_weight",
        )


@transaction.atomic
def start_run(
    *,
    actor,
    region,
    max_delay_months: int,
    time_limit: int,
    queue_weight: float | None = None,
    demo: bool = False,
) -> AllocationRun:
    """A queued run, and its background task (`tasks.run_allocation`). The task row is written
    in this transaction (database backend), so the worker never sees a run that is not saved.
    `queue_weight` None means the region's policy (the default for national runs); the run
    stores the weight it uses."""
    from lisplan.allocation.tasks import run_allocation

    validate_settings(max_delay_months, time_limit)
    if queue_weight is None:
        queue_weight = policy_for(region).queue_weight
    validate_queue_weight(queue_weight)
    if actor is not None and not can_run_allocation(actor, region):
        raise Refused(_("Velg en region du har tilgang til."), "forbidden", "scope")
    run = AllocationRun.objects.create(
        region=region,
        max_delay_months=max_delay_months,
        time_limit=time_limit,
        queue_weight=float(queue_weight),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        demo=demo,
    )
    record(
        actor=actor,
        action="allocation.run_started",
        obj=run,
        changes={
            "scope": [None, run.scope],
            "max_delay_months": [None, max_delay_months],
            "time_limit": [None, time_limit],
            "queue_weight": [None, run.queue_weight],
        },
    )
    result = run_allocation.enqueue(run.pk)
    AllocationRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
    run.refresh_from_db()
    return run


# --- the region's policy -------------------------------------------------------------------

POLICY_FIELDS = ("queue_weight", "max_delay_months", "time_limit")


class StaleVersion(Conflict):
    """The policy was changed by someone else since the user opened it."""

    def __init__(self, current: AllocationPolicy):
        super().__init__(
            _(
                "Innstillingene for %(region)s er endret av %(who)s siden du åpnet "
                "dem. Dine verdier står fortsatt i skjemaet; lagre på nytt for å "
                "erstatte de nye verdiene (køvekt %(weight)s, største forsinkelse %(delay)d mnd., "
                "tidsgrense %(limit)d s)."
            )
            % {
                "region": current.region,
                "who": (current.updated_by.get_full_name() or current.updated_by.username)
                if current.updated_by
                else _("en annen"),
                "weight": f"{current.queue_weight:g}".replace(".", ","),
                "delay": current.max_delay_months,
                "limit": current.time_limit,
            }
        )
        self.current = current


def policy_for(region) -> AllocationPolicy:
    """The region's policy; the defaults (an unsaved row, version 0) where it has none, and
    always for national runs (`region` None)."""
    policy = None
    if region is not None:
        policy = AllocationPolicy.objects.select_related("updated_by").filter(region=region).first()
    if policy is None:
        policy = AllocationPolicy(region=region, version=0)
    return policy


def can_edit_policy(user, region) -> bool:
    return region is not None and policy_regions(user).filter(pk=region.pk).exists()


def save_policy(
    *, actor, region, version: int, queue_weight: float, max_delay_months: int, time_limit: int
) -> AllocationPolicy:
    """Create or change a region's policy. `version` is the one the user started from (0 when
    the region had no policy yet); else StaleVersion. Audited."""
    if region is None or not can_edit_policy(actor, region):
        raise PermissionDenied
    validate_settings(max_delay_months, time_limit)
    validate_queue_weight(queue_weight)
    values = {
        "queue_weight": float(queue_weight),
        "max_delay_months": max_delay_months,
        "time_limit": time_limit,
    }
    try:
        with transaction.atomic():
            policy = (
                AllocationPolicy.objects.select_for_update(of=("self",))
                .select_related("updated_by")
                .filter(region=region)
                .first()
            )
            created = policy is None
            if created:
                if version != 0:
                    raise StaleVersion(policy_for(region))
                policy = AllocationPolicy(region=region, version=1)
                before = {}
            else:
                if policy.version != version:
                    raise StaleVersion(policy)
                before = snapshot(policy, POLICY_FIELDS)
                policy.version += 1
            for name, value in values.items():
                setattr(policy, name, value)
            policy.updated_by = actor
            policy.save()
            record(
                actor=actor,
                obj=policy,
                action="allocation.policy_created" if created else "allocation.policy_changed",
                changes=diff(before, snapshot(policy, POLICY_FIELDS)),
            )
    except IntegrityError as error:  # two first saves at once: the other one won
        raise StaleVersion(policy_for(region)) from error
    return policy


# --- executing a run (the background task) ------------------------------------------------


class _Reporter:
    """The engine's progress callback: writes the fraction and the phase to the run row, at
    most every PROGRESS_EVERY_SECONDS (and always the last one)."""

    def __init__(self, run_id: int, low: float = 0.1, high: float = 0.95):
        self.run_id, self.low, self.high = run_id, low, high
        self.last = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS and fraction < 1.0:
            return
        self.last = now
        log.info("allocation run %s: %.0f %% %s", self.run_id, 100 * fraction, message)
        # The engine's lines are for the command line (English); the page gets the phase.
        text = (
            _("Beregner køordningen")
            if fraction < 0.02
            else _("Optimerer planen")
            if fraction < 1.0
            else _("Lagrer resultatet")
        )
        _progress(self.run_id, self.low + (self.high - self.low) * fraction, text)


def _progress(run_id: int, fraction: float, message: str) -> None:
    AllocationRun.objects.filter(pk=run_id).update(
        progress=round(fraction, 4), progress_message=message[:300]
    )


def execute(run_id: int) -> str:
    """Run a queued run to the end: done with a valid plan, or failed with a reason."""
    claimed = AllocationRun.objects.filter(pk=run_id, status=AllocationRun.Status.QUEUED).update(
        status=AllocationRun.Status.RUNNING, started_at=timezone.now(), progress=0.0
    )
    if not claimed:
        return "skipped"
    run = AllocationRun.objects.select_related("region").get(pk=run_id)
    try:
        _progress(run_id, 0.01, _("Henter fiktiv enhet og fagavtaler"))
        built = build_instance(run.region, max_delay=run.max_delay_months)
        AllocationRun.objects.filter(pk=run_id).update(
            instance=built.document, notes=built.notes, start_month=built.start_month
        )
        _progress(run_id, 0.1, _("Beregner køordningen og optimerer"))
        result = engine.solve(
            built.instance,
            max_delay=run.max_delay_months,
            time_limit=float(run.time_limit),
            progress=_Reporter(run_id),
            queue_weight=run.queue_weight,
        )
        document = result.document()
        problems = violations(
            result.instance, result.plan, result.baseline, set(result.inversions), result.order
        )
        if problems:
            raise _Failure(
                _("Motoren ga en plan som bryter reglene: %(first)s")
                % {"first": "; ".join(str(p) for p in problems[:3])}
            )
        _progress(run_id, 0.95, _("Regner ut hva én plass til ville gitt"))
        _finish(run, result, document, _one_more_place(run, result))
    except InvalidFile as error:
        _fail(
            run_id,
            _("Dataene i fiktiv enhet kan ikke gjøres om til en gyldig instans: %(errors)s")
            % {"errors": "; ".join(str(e) for e in error.errors[:5])},
        )
        return "failed"
    except _Failure as error:
        _fail(run_id, str(error))
        return "failed"
    except Exception as error:  # the run must end with a message, whatever happened
        log.exception("allocation run %s failed", run_id)
        _fail(
            run_id,
            _(
                "Uventet feil under kjøringen (%(kind)s: %(error)s). Prøv igjen, eller "
                "meld fra til brukerstøtte."
            )
            % {"kind": type(error).__name__, "error": str(error)[:300]},
        )
        return "failed"
    return "done"


class _Failure(Exception):
    pass


def _one_more_place(run: AllocationRun, result: engine.Result) -> dict | None:
    """`marginal.analyse` for the run; the plan is kept whatever happens here (None then)."""
    try:
        return marginal.analyse(
            result.instance,
            result.plan,
            result.order,
            time_limit=marginal_seconds(run.time_limit),
            queue_weight=run.queue_weight,
        ).document()
    except Exception:  # an extra for the planner; the run itself is done
        log.exception("allocation run %s: the «one more place» analysis failed", run.pk)
        return None


def marginal_seconds(time_limit: int) -> float:
    """The time for «what one more place would do» after the plan: half the run's limit, at
    least 5 s and at most 60 s (each agreement's part is re-solved twice, `marginal`)."""
    return float(min(60, max(5, time_limit / 2)))


# A running run whose worker died (killed, machine restarted) would stay «running» for ever: past
# its time limit plus this margin it is failed with a message that says so.
STALE_AFTER_SECONDS = 15 * 60


def expire_if_stale(run: AllocationRun) -> AllocationRun:
    if run.status != AllocationRun.Status.RUNNING or run.started_at is None:
        return run
    age = (timezone.now() - run.started_at).total_seconds()
    if age > run.time_limit + STALE_AFTER_SECONDS:
        _fail(
            run.pk, _("Kjøringen ble avbrutt: bakgrunnsprosessen svarte ikke. Start en ny kjøring.")
        )
        run.refresh_from_db()
    return run


def _fail(run_id: int, message: str) -> None:
    """Running → failed (only from running: a run that has just finished stays done)."""
    failed = AllocationRun.objects.filter(pk=run_id, status=AllocationRun.Status.RUNNING).update(
        status=AllocationRun.Status.FAILED,
        finished_at=timezone.now(),
        error=message,
        progress_message=message[:300],
    )
    if not failed:
        return
    run = AllocationRun.objects.get(pk=run_id)
    record(
        actor=None,
        action="allocation.run_failed",
        obj=run,
        changes={"status": [AllocationRun.Status.RUNNING, AllocationRun.Status.FAILED]},
    )
    _notify_done(run)


@transaction.atomic
def _finish(
    run: AllocationRun, result: engine.Result, document: dict, found: dict | None = None
) -> None:
    inst = result.instance
    known = set(
        RotationRequest.objects.filter(pk__in=[key_pk(r) for r in result.order]).values_list(
            "pk", flat=True
        )
    )
    rows = []
    for position, request_id in enumerate(result.order, start=1):
        if key_pk(request_id) not in known:
            continue  # deleted while the run was under way
        mine = result.plan.assignments.get(request_id)
        base = result.baseline.assignments.get(request_id)
        rows.append(
            Proposal(
                run=run,
                request_id=key_pk(request_id),
                queue_position=position,
                agreement_id=key_pk(mine.agreement) if mine else None,
                start=month_date(mine.start) if mine else None,
                baseline_start=month_date(base.start) if base else None,
                wait_months=result.plan.wait(inst, request_id) if mine else None,
                reason=explain(inst, result.plan, result.baseline, request_id)[:400],
            )
        )
    Proposal.objects.bulk_create(rows, batch_size=500)
    lower = document["lower_bound"]
    AllocationRun.objects.filter(pk=run.pk).update(
        status=AllocationRun.Status.DONE,
        finished_at=timezone.now(),
        progress=1.0,
        progress_message=_("Ferdig: %(placed)s av %(total)s ønsker får foreslått oppstart.")
        % {
            "placed": numbers.number(document["metrics"]["assigned"]),
            "total": numbers.number(document["metrics"]["requests"]),
        },
        result=document,
        marginal=found,
        metrics=document["metrics"],
        baseline_metrics=document["baseline_metrics"],
        bound=lower["objective"],
        gap=document["gap"],
    )
    run.refresh_from_db()
    record(
        actor=None,
        action="allocation.run_done",
        obj=run,
        changes={
            "status": [AllocationRun.Status.RUNNING, AllocationRun.Status.DONE],
            "assigned": [None, document["metrics"]["assigned"]],
            "unassigned": [None, document["metrics"]["unassigned"]],
        },
    )
    _notify_done(run)


def _notify_done(run: AllocationRun) -> None:
    if run.created_by is None or run.demo:
        return
    title = (
        _("Fordelingen for %(scope)s er ferdig")
        if run.status == AllocationRun.Status.DONE
        else _("Fordelingen for %(scope)s feilet")
    ) % {"scope": run.scope_label}
    if run.status == AllocationRun.Status.DONE:
        metrics = run.metrics or {}
        body = _("%(placed)s av %(total)s ønsker får foreslått oppstart.") % {
            "placed": numbers.number(metrics.get("assigned")),
            "total": numbers.number(metrics.get("requests")),
        }
    else:  # what went wrong is on the run's page, in words; never an error text from inside
        body = _("Fordelingen ble ikke ferdig, og ingen forslag er laget.")
    notify(
        users=[run.created_by],
        kind=f"allocation.{run.status}",
        title=title,
        body=body,
        url=reverse("allocation:run", args=[run.pk]),
    )


# --- why a request starts when it does ----------------------------------------------------

_REASONS = [
    (
        "rule 1",
        gettext_lazy(
            "Ikke fast ansatt i spesialiteten: kan ikke tilbys gjennomstrømningsstilling."
        ),
    ),
    (
        "trainee is not permanent",
        gettext_lazy(
            "Ikke fast ansatt i spesialiteten: kan ikke tilbys gjennomstrømningsstilling."
        ),
    ),
    (
        "none of the request's agreements",
        gettext_lazy("Ingen av fagavtalene gjelder fra legens arbeidsgiver."),
    ),
    (
        "no start month",
        gettext_lazy(
            "Ingen mulig oppstart i planperioden: fagavtalens startmåneder og "
            "gyldighet, forkunnskapskrav eller legens permisjon og andre perioder "
            "stenger."
        ),
    ),
    (
        "no capacity",
        gettext_lazy(
            "Ingen ledig kapasitet i planperioden: fagavtalene er fulle, eller legen er opptatt."
        ),
    ),
    (
        "must come after",
        gettext_lazy("Venter på en annen periode for samme lege som ikke får plass."),
    ),
]


def unassigned_reason(engine_reason: str) -> str:
    for prefix, text in _REASONS:
        if engine_reason.startswith(prefix):
            return str(text)
    return engine_reason


def explain(inst: Instance, plan: Plan, baseline: Plan, request_id: str) -> str:
    """One or two sentences for a coordinator: the rule that sets this request's start."""
    if request_id not in plan.assignments:
        return unassigned_reason(plan.unassigned[request_id].reason)
    request = inst.requests[request_id]
    mine = plan.assignments[request_id]
    wait = plan.wait(inst, request_id)
    starts = own_starts(inst, request)
    earliest = starts[0][0] if starts else mine.start
    if wait == 0:
        text = _("Starter ved ønsket oppstart.")
    elif mine.start <= earliest:
        text = _(
            "Tidligste mulige oppstart etter fagavtalens startmåneder og gyldighet, "
            "forkunnskapskrav og legens permisjon eller andre perioder."
        )
    elif request.after is not None:
        text = _(
            "Starter etter at legens forrige periode er ferdig, og når fagavtalen har ledig plass."
        )
    else:
        text = _(
            "Venter på ledig plass: fagavtalen (plass til %(capacity)d om gangen) er full "
            "før dette med leger foran i køen."
        ) % {"capacity": inst.agreements[mine.agreement].capacity}
    base = baseline.assignments.get(request_id)
    if base is not None and base.start != mine.start:
        shift = mine.start - base.start
        if shift < 0:
            text += " " + _("%(n)d mnd. tidligere enn køordningen ga.") % {"n": -shift}
        else:
            text += " " + _(
                "%(n)d mnd. senere enn køordningen, innenfor den tillatte "
                "forsinkelsen på %(delta)d mnd., slik at andre får plass "
                "tidligere."
            ) % {"n": shift, "delta": inst.max_delay_months}
    elif base is None:
        text += " " + _("Køordningen ga ingen plass.")
    return text


# --- offers from proposals ----------------------------------------------------------------


def offerable(user, proposals: Iterable[Proposal]) -> set[int]:
    """The proposals this user may turn into offers now: a start proposed, the request still
    forwarded (not yet offered) and within the user's `register.offer` scope."""
    from lisplan.accounts.access import scope_filter

    candidates = [p for p in proposals if p.start is not None and p.offered_at is None]
    if not candidates or not has_permission(user, "register.offer"):
        return set()
    allowed = set(
        scope_filter(
            user,
            "register.offer",
            RotationRequest.objects.filter(
                pk__in=[p.request_id for p in candidates], status=Status.FORWARDED
            ),
        ).values_list("pk", flat=True)
    )
    return {p.pk for p in candidates if p.request_id in allowed}


def offer_from_proposal(*, actor, proposal: Proposal) -> RotationRequest:
    """The register's offer step (`rotations.services.request_offer`) with the proposed start;
    audited there, and here as the run's proposal taken up."""
    run = proposal.run
    if run.status != AllocationRun.Status.DONE:
        raise AllocationError(_("Kjøringen er ikke ferdig."), "invalid_state", "run")
    if proposal.start is None:
        raise AllocationError(
            _("Planen foreslår ingen oppstart for dette ønsket."), "no_start", "start"
        )
    if proposal.offered_at is not None:
        raise AllocationError(
            _("Tilbud er allerede gitt fra dette forslaget."), "already_offered", "proposal"
        )
    request = proposal.request
    if not can(actor, "register.offer", request):
        raise PermissionDenied
    if proposal.start < timezone.localdate().replace(day=1):
        raise AllocationError(
            _("Foreslått oppstart %(start)s er passert. Start en ny kjøring.")
            % {"start": proposal.start.strftime("%m.%Y")},
            "past",
            "start",
        )
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.offered_at is not None:
            raise AllocationError(
                _("Tilbud er allerede gitt fra dette forslaget."), "already_offered", "proposal"
            )
        try:
            request = rotation_services.request_offer(
                actor=actor,
                request=request,
                start=proposal.start,
                comment=_("Foreslått av fordelingskjøring #%(run)d (plass %(place)d i køen).")
                % {"run": run.pk, "place": proposal.queue_position},
            )
        except rotation_services.RotationError as error:
            raise AllocationError(str(error), error.code, error.field) from error
        locked.offered_at = timezone.now()
        locked.save(update_fields=["offered_at"])
        record(
            actor=actor,
            action="allocation.offer_from_proposal",
            obj=run,
            trainee_id=request.trainee_id,
            changes={
                "request": [None, request.pk],
                "start": [None, proposal.start.isoformat()],
                "agreement": [
                    None,
                    agreement_key(proposal.agreement_id) if proposal.agreement_id else None,
                ],
            },
        )
    proposal.offered_at = locked.offered_at
    return request


def offer_many(
    *, actor, proposals: Iterable[Proposal]
) -> tuple[list[RotationRequest], list[tuple[Proposal, str]]]:
    """Each proposal on its own (one failing does not undo the others): the offers made and
    the proposals refused with the reason."""
    made, refused = [], []
    for proposal in proposals:
        try:
            made.append(offer_from_proposal(actor=actor, proposal=proposal))
        except AllocationError as error:
            refused.append((proposal, str(error)))
        except PermissionDenied:
            refused.append((proposal, _("Du kan ikke gi tilbud på dette ønsket.")))
    return made, refused


# --- the forecast («forventet oppstart») --------------------------------------------------


def forecasts(requests: Iterable[RotationRequest]) -> dict[int, dict]:
    """The newest finished run's estimate for each request still waiting, by request id (one
    query): the optimised start, the range up to the queue baseline's start, and when the run
    was made. Requests without one are left out."""
    waiting = [r.pk for r in requests if r.status == Status.FORWARDED]
    newest: dict[int, Proposal] = {}
    if waiting:
        for proposal in (
            Proposal.objects.filter(request_id__in=waiting, run__status=AllocationRun.Status.DONE)
            .select_related("run")
            .order_by("request_id", "-run__finished_at", "-run_id")
        ):
            newest.setdefault(proposal.request_id, proposal)
    today = timezone.localdate()
    return {request_id: _forecast(proposal, today) for request_id, proposal in newest.items()}


def forecast(request: RotationRequest) -> dict | None:
    return forecasts([request]).get(request.pk)


def _forecast(proposal: Proposal, today) -> dict:
    starts = [s for s in (proposal.start, proposal.baseline_start) if s is not None]
    return {
        "proposal": proposal,
        "run": proposal.run,
        "start": proposal.start,
        "earliest": min(starts) if starts else None,
        "latest": max(starts) if starts else None,
        "placed": proposal.start is not None,
        "made_on": proposal.run.finished_at,
        "today": today,
    }
