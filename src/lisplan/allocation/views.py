"""Pages for allocation runs: start a run, follow its progress, read the plan (metrics, the
capacity per agreement and month, each request's proposed start and why, the priority
inversions), and turn proposed starts into offers.

Thin: authorise (`require` + `get_in_scope`), validate a form, call `services`, render. Names
of trainees are shown only for requests the user may see in the register (`register.view`);
agreements only where the user may see them (`agreement.view`).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.html import mark_safe
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from lisplan.accounts.access import (
    get_in_scope,
    has_permission,
    regions_with,
    require,
    scope_filter,
)
from lisplan.allocation import charts, services
from lisplan.allocation.build import key_pk
from lisplan.allocation.forms import PolicyForm, RunForm
from lisplan.allocation.instance import month_index
from lisplan.allocation.models import AllocationPolicy, AllocationRun, Proposal
from lisplan.errors import DomainError, add_to_form
from lisplan.rotations.models import CollaborationAgreement, RotationRequest
from lisplan.ui import numbers
from lisplan.ui.paging import page_of

CHARTS_PER_PAGE = 8
SHOW = {
    "all": lambda qs: qs,
    "unassigned": lambda qs: qs.filter(start__isnull=True),
    "later": lambda qs: qs.filter(start__gt=F("baseline_start")),
    "earlier": lambda qs: qs.filter(start__lt=F("baseline_start")),
    "offerable": lambda qs: qs.filter(
        start__isnull=False, offered_at__isnull=True, request__status="forwarded"
    ),
}


def _runs(user):
    return scope_filter(
        user, "allocation.view", AllocationRun.objects.select_related("region", "created_by")
    )


@require("allocation.view")
def run_list(request):
    page, page_range = page_of(request, _runs(request.user).defer("instance", "result"))
    return render(
        request,
        "allocation/run_list.html",
        {
            "page": page,
            "page_range": page_range,
            "can_run": has_permission(request.user, "allocation.run"),
        },
    )


@require("allocation.run")
def run_new(request):
    form = RunForm(
        request.POST or None, user=request.user, initial={"scope": request.GET.get("scope", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.start_run(
                actor=request.user,
                region=form.region(),
                max_delay_months=form.cleaned_data["max_delay_months"],
                time_limit=form.cleaned_data["time_limit"],
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Kjøringen er startet. Siden oppdateres mens den går."))
            return redirect("allocation:run", run.pk)
    weights = [
        (region.name, services.policy_for(region).queue_weight) for region in form.regions.values()
    ]
    return render(
        request,
        "allocation/run_form.html",
        {
            "form": form,
            "weights": weights,
            "national_weight": services.policy_for(None).queue_weight,
            "national": "national" in dict(form.fields["scope"].choices),
        },
    )


# --- the region's policy ------------------------------------------------------------------


@require("allocation.view")
def policy_list(request):
    """The policy of every region whose runs the user sees (read-only for coordinators), with
    a link to change it where the user may (`allocation.policy`: the region's planner)."""
    editable = set(services.policy_regions(request.user).values_list("pk", flat=True))
    regions = list(regions_with(request.user, "allocation.view").order_by("name"))
    saved = {
        p.region_id: p
        for p in AllocationPolicy.objects.filter(region__in=regions).select_related("updated_by")
    }
    rows = [
        {
            "region": region,
            "editable": region.pk in editable,
            "policy": saved.get(region.pk) or AllocationPolicy(region=region, version=0),
        }
        for region in regions
    ]
    return render(
        request,
        "allocation/policy_list.html",
        {
            "rows": rows,
            "defaults": services.policy_for(None),
            "can_run": has_permission(request.user, "allocation.run"),
        },
    )


@require("allocation.policy")
def policy_edit(request, region: int):
    region = services.policy_regions(request.user).filter(pk=region).first()
    if region is None:
        raise Http404
    policy = services.policy_for(region)
    form = PolicyForm(
        request.POST or None,
        initial={
            "queue_weight": policy.queue_weight,
            "max_delay_months": policy.max_delay_months,
            "time_limit": policy.time_limit,
            "version": policy.version,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_policy(actor=request.user, region=region, **form.cleaned_data)
            except DomainError as error:
                add_to_form(form, error)
                status = error.status
                if isinstance(error, services.StaleVersion):
                    # What the user typed stays; saving again knowingly replaces the new values.
                    form.data = form.data.copy()
                    form.data["version"] = str(error.current.version)
                    policy = error.current
            else:
                messages.success(
                    request,
                    _(
                        "Innstillingene for %(region)s er lagret. Nye "
                        "kjøringer for regionen bruker dem."
                    )
                    % {"region": region},
                )
                return redirect("allocation:policies")
        else:
            status = 400
    return render(
        request,
        "allocation/policy_form.html",
        {"form": form, "region": region, "policy": policy, "defaults": services.policy_for(None)},
        status=status,
    )


def _visible_requests(user):
    return scope_filter(user, "register.view", RotationRequest.objects.all()).values("pk")


@require("allocation.view")
def run_detail(request, pk: int):
    run = services.expire_if_stale(
        get_in_scope(request.user, "allocation.view", _runs(request.user), pk=pk)
    )
    tab = request.GET.get("fane", "")
    tab = tab if tab in RESULT_TABS else RESULT_TABS[0]
    context = {"run": run, "tab": tab, "tabs": _tabs(tab)}
    if run.status == AllocationRun.Status.DONE:
        context.update(_result_context(request, run, tab))
    return render(request, "allocation/run_detail.html", context)


# The result page's tabs, offers first (issue #17): only the chosen tab's content is built and
# rendered, so the page is light and the offer buttons are at the top.
RESULT_TABS = ("tilbud", "sammendrag", "analyse")


def _tabs(current: str) -> list[dict]:
    labels = {
        "tilbud": _("Forslag og tilbud"),
        "sammendrag": _("Sammendrag"),
        "analyse": _("Analyse"),
    }
    return [
        {"key": key, "label": labels[key], "current": key == current, "query": f"?fane={key}"}
        for key in RESULT_TABS
    ]


@require("allocation.view")
def run_progress(request, pk: int):
    """The progress box, polled by htmx while the run is queued or running; when it ends the
    whole page reloads to show the result."""
    run = services.expire_if_stale(
        get_in_scope(
            request.user, "allocation.view", _runs(request.user).defer("instance", "result"), pk=pk
        )
    )
    response = render(request, "allocation/_progress.html", {"run": run})
    if run.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _metric_rows(run: AllocationRun) -> list[tuple[str, object, object, str]]:
    base, mine = run.baseline_metrics or {}, run.metrics or {}
    rows = [
        (_("Ønsker i planen"), "requests", ""),
        (_("Får foreslått oppstart"), "assigned", ""),
        (_("Uten plass i planperioden"), "unassigned", ""),
        (_("Samlet ventetid (mnd.)"), "total_wait_months", ""),
        (_("Gjennomsnittlig ventetid (mnd.)"), "mean_wait_months", ""),
        (_("95-persentil ventetid (mnd.)"), "p95_wait_months", ""),
        (_("Lengste ventetid (mnd.)"), "max_wait_months", ""),
        (_("Andel som starter innen 3 mnd. etter ønsket"), "share_within_3_months", "%"),
        (_("Kapasitetsutnyttelse"), "utilisation", "%"),
    ]
    out = []
    for label, key, unit in rows:
        b, m = base.get(key), mine.get(key)
        if unit == "%":
            b = None if b is None else numbers.percent(100 * b)
            m = None if m is None else numbers.percent(100 * m)
        else:
            b = None if b is None else numbers.number(b, 1 if isinstance(b, float) else None)
            m = None if m is None else numbers.number(m, 1 if isinstance(m, float) else None)
        out.append((label, b, m, key))
    return out


def _result_context(request, run: AllocationRun, tab: str = "tilbud") -> dict:
    user = request.user
    context: dict = {"summary": _summary(run)}
    if tab == "tilbud":
        context.update(_offers_context(request, run))
    elif tab == "sammendrag":
        visible = _visible_requests(user)
        context["unplaced"] = unplaced_summary(run, visible, user)
        context["best_places"] = best_places(run, user)
        context["metric_rows"] = _metric_rows(run)
    else:
        context.update(_analysis_context(request, run))
    return context


def _offers_context(request, run: AllocationRun) -> dict:
    user = request.user
    visible = _visible_requests(user)
    proposals = run.proposals.filter(request__in=visible).select_related(
        "request__trainee",
        "request__sending",
        "request__receiving",
        "request__specialty",
        "agreement__receiving",
    )
    show = request.GET.get("show", "all")
    proposals = SHOW.get(show, SHOW["all"])(proposals)
    if show == "offerable":  # the user's own receiving side only
        proposals = proposals.filter(
            request__in=scope_filter(user, "register.offer", RotationRequest.objects.all()).values(
                "pk"
            )
        )
    q = request.GET.get("q", "").strip()
    for word in q.split():
        proposals = proposals.filter(
            Q(request__trainee__first_name__icontains=word)
            | Q(request__trainee__last_name__icontains=word)
            | Q(request__receiving__code__iexact=word)
            | Q(request__sending__code__iexact=word)
        )
    page, page_range = page_of(request, proposals)
    rows = list(page.object_list)
    offerable = services.offerable(user, rows)
    return {
        "page": page,
        "page_range": page_range,
        "rows": rows,
        "offerable": offerable,
        "show": show,
        "q": q,
        "shows": [
            ("all", _("Alle")),
            ("offerable", _("Kan tilbys nå")),
            ("earlier", _("Tidligere enn køordningen")),
            ("later", _("Senere enn køordningen")),
            ("unassigned", _("Uten plass")),
        ],
        "can_offer": bool(offerable) or has_permission(user, "register.offer"),
    }


def _analysis_context(request, run: AllocationRun) -> dict:
    user = request.user
    # The capacity chart per agreement the user may see.
    loads = charts.loads(run.instance or {}, run.result or {})
    agreements = (
        scope_filter(
            user,
            "agreement.view",
            CollaborationAgreement.objects.filter(pk__in=[key_pk(k) for k in loads]),
        )
        .select_related("sending", "receiving", "specialty")
        .order_by("receiving__name", "specialty__name", "sending__name", "pk")
    )
    # Agreements with proposed starts first, the busiest first.
    agreements = sorted(agreements, key=lambda a: -loads[f"A-{a.pk}"].proposed_starts)
    chart_page, chart_range = page_of(request, agreements, "apage", CHARTS_PER_PAGE)
    labels = {"capacity": _("Kapasitet (samtidige leger)")}
    chart_rows = []
    for agreement in chart_page.object_list:
        load = loads[f"A-{agreement.pk}"]
        title = _("%(agreement)s: %(starts)d foreslåtte oppstarter, kapasitet %(capacity)d") % {
            "agreement": agreement,
            "starts": load.proposed_starts,
            "capacity": load.capacity,
        }
        chart_rows.append(
            {
                "agreement": agreement,
                "load": load,
                "title": title,
                "svg": mark_safe(charts.svg(load, title, labels)),
            }
        )  # noqa: S308

    inversions = _inversions(run, user)
    inv_page, inv_range = page_of(request, inversions, "ipage")
    return {
        "metric_rows": _metric_rows(run),
        "chart_page": chart_page,
        "chart_range": chart_range,
        "chart_rows": chart_rows,
        "inv_page": inv_page,
        "inv_range": inv_range,
        "inversion_count": len(inversions),
    }


def _summary(run: AllocationRun) -> dict:
    mine = run.metrics or {}
    return {
        "requests": mine.get("requests"),
        "assigned": mine.get("assigned"),
        "unassigned": mine.get("unassigned"),
    }


# What would change a «no»: by the first words of the reason (allocation.services._REASONS).
_REMEDIES = [
    (
        "Ikke fast ansatt",
        gettext_lazy(
            "Fast ansettelse i spesialiteten (bare fast ansatte kan "
            "tilbys gjennomstrømningsstilling)."
        ),
    ),
    (
        "Ingen av fagavtalene",
        gettext_lazy("En fagavtale fra legens arbeidsgiver til dette foretaket."),
    ),
    (
        "Ingen mulig oppstart",
        gettext_lazy(
            "Flere startmåneder eller lengre gyldighet i "
            "fagavtalen, eller et senere tidspunkt for seneste "
            "slutt i ønsket."
        ),
    ),
    ("Ingen ledig kapasitet", gettext_lazy("Flere plasser i fagavtalen i planperioden.")),
    ("Venter på en annen periode", gettext_lazy("At legens forrige periode får plass først.")),
]


def unplaced_summary(run: AllocationRun, visible, user) -> list[dict]:
    """For the wishes without a place, per agreement (or receiving institution and specialty
    when no agreement applies): how many, why in words, and what would change it (one query)."""
    groups: dict[tuple, dict] = {}
    rows = list(
        run.proposals.filter(start__isnull=True, request__in=visible)
        .values(
            "agreement_id",
            "request__receiving_id",
            "request__specialty_id",
            "request__receiving__name",
            "request__specialty__name",
            "request__sending__name",
            "reason",
        )
        .order_by()
    )
    agreements = {
        a.pk: a
        for a in CollaborationAgreement.objects.filter(
            pk__in={r["agreement_id"] for r in rows if r["agreement_id"]}
        ).select_related("receiving", "sending", "specialty")
    }
    for r in rows:
        agreement = agreements.get(r["agreement_id"])
        where = (
            str(agreement)
            if agreement
            else _("%(specialty)s ved %(receiving)s")
            % {
                "specialty": r["request__specialty__name"],
                "receiving": r["request__receiving__name"],
            }
        )
        group = groups.setdefault(
            where,
            {
                "where": where,
                "agreement": agreement,
                "count": 0,
                "reasons": {},
                "place": (r["request__receiving_id"], r["request__specialty_id"]),
                "one_more": [],
            },
        )
        group["count"] += 1
        reason = r["reason"] or str(_("Ingen plass i planperioden."))
        group["reasons"][reason] = group["reasons"].get(reason, 0) + 1
    one_more = marginal_rows(run, user)
    out = []
    for group in sorted(groups.values(), key=lambda g: (-g["count"], g["where"])):
        group["one_more"] = one_more.get(group.pop("place"), [])
        group["reasons"] = [
            {
                "text": text,
                "count": n,
                "remedy": next(
                    (str(fix) for prefix, fix in _REMEDIES if text.startswith(prefix)), ""
                ),
            }
            for text, n in sorted(group["reasons"].items(), key=lambda kv: -kv[1])
        ]
        out.append(group)
    return out


def _month(text: str | None) -> str:
    if not text:
        return ""
    return formats.date_format(dt.date(int(text[:4]), int(text[5:7]), 1), "F Y")


def _one_more_text(found: dict) -> str:
    """«One more place would place N» in words, with the months the place is used."""
    n = found["extra"]
    if n:
        text = ngettext(
            "Én plass til i denne fagavtalen ville gitt plass til %(n)s ønske til, "
            "fra %(first)s til %(last)s.",
            "Én plass til i denne fagavtalen ville gitt plass til %(n)s ønsker til, "
            "fra %(first)s til %(last)s.",
            n,
        ) % {"n": numbers.number(n), "first": _month(found["first"]), "last": _month(found["last"])}
    else:
        text = _(
            "Én plass til i denne fagavtalen alene ville ikke gitt plass til flere: ønskene "
            "stanses også av noe annet, som legens andre perioder, startmånedene, "
            "forkunnskapskrav eller den tillatte forsinkelsen."
        )
    if not found.get("proven", True):
        text += " " + _("Tallet er det beste beregningen fant innen tidsgrensen.")
    return text


def _marginal_found(run: AllocationRun, user) -> tuple[list[tuple[dict, object]], bool]:
    """The stored «one more place» answers for agreements the user may see, with the agreement
    (one query, once per request), and whether every agreement was analysed."""
    cached = getattr(run, "_marginal_found", None)
    if cached is not None:
        return cached
    stored = run.marginal or {}
    found = stored.get("agreements", [])
    agreements = {
        a.pk: a
        for a in scope_filter(
            user,
            "agreement.view",
            CollaborationAgreement.objects.filter(pk__in=[key_pk(f["agreement"]) for f in found]),
        ).select_related("receiving", "sending", "specialty")
    }
    pairs = [
        (f, agreements[key_pk(f["agreement"])])
        for f in found
        if key_pk(f["agreement"]) in agreements
    ]
    run._marginal_found = (pairs, bool(stored.get("complete", True)))
    return run._marginal_found


def marginal_rows(run: AllocationRun, user) -> dict[tuple[int, int], list[dict]]:
    """Per (receiving institution, specialty) — the groups of `unplaced_summary` — what one
    more place in each agreement there would do, in words. Read from the run
    (`marginal.analyse` ran in the background); nothing is solved here."""
    if run.marginal is None:
        return {}
    pairs, complete = _marginal_found(run, user)
    out: dict[tuple[int, int], list[dict]] = {}
    for found, agreement in pairs:
        out.setdefault((agreement.receiving_id, agreement.specialty_id), []).append(
            {"agreement": agreement, "extra": found["extra"], "text": _one_more_text(found)}
        )
    if not complete:
        missing = _("Ikke regnet ut for de andre fagavtalene her: tiden til beregningen gikk ut.")
        for rows in out.values():
            rows.append({"agreement": None, "extra": 0, "text": missing})
    return out


def best_places(run: AllocationRun, user, most: int = 5) -> list[dict]:
    """Where one more place would place the most wishes (for the planner's summary)."""
    if run.marginal is None:
        return []
    pairs, _complete = _marginal_found(run, user)
    best = sorted(
        ((f, a) for f, a in pairs if f["extra"] > 0), key=lambda fa: (-fa[0]["extra"], str(fa[1]))
    )
    return [
        {
            "agreement": a,
            "text": ngettext(
                "%(n)s ønske til med én plass til, fra %(first)s.",
                "%(n)s ønsker til med én plass til, fra %(first)s.",
                f["extra"],
            )
            % {"n": numbers.number(f["extra"]), "first": _month(f["first"])},
        }
        for f, a in best[:most]
    ]


def _inversions(run: AllocationRun, user) -> list[dict]:
    """Each reported priority inversion with its size: how many months later the request
    ahead in the queue starts than the one that went before it (or that it got no place)."""
    found = (run.result or {}).get("priority_inversions", [])
    if not found:
        return []
    keys = {key_pk(i["before"]) for i in found} | {key_pk(i["after"]) for i in found}
    proposals = {
        p.request_id: p
        for p in run.proposals.filter(request_id__in=keys).select_related("request__trainee")
    }
    visible = set(
        scope_filter(
            user, "register.view", RotationRequest.objects.filter(pk__in=keys)
        ).values_list("pk", flat=True)
    )
    agreements = {
        a.pk: a
        for a in CollaborationAgreement.objects.filter(
            pk__in={key_pk(i["agreement"]) for i in found}
        ).select_related("receiving", "sending", "specialty")
    }  # str(agreement) in the table names all three
    rows = []
    for inv in found:
        before, after = proposals.get(key_pk(inv["before"])), proposals.get(key_pk(inv["after"]))
        if before is None or after is None:
            continue
        if before.request_id not in visible and after.request_id not in visible:
            continue
        month = month_index(inv["month"])
        size = None
        if before.start is not None:
            size = month_index(before.start.isoformat()[:7]) - month
        rows.append(
            {
                "before": before,
                "after": after,
                "month": inv["month"],
                "size": size,
                "agreement": agreements.get(key_pk(inv["agreement"])),
                "before_visible": before.request_id in visible,
                "after_visible": after.request_id in visible,
            }
        )
    return rows


@require_POST
@require("register.offer")
def run_offer(request, pk: int):
    run = get_in_scope(
        request.user, "allocation.view", _runs(request.user).defer("instance", "result"), pk=pk
    )
    ids = [int(v) for v in request.POST.getlist("proposal") if v.isdigit()]
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    target = back or run.get_absolute_url()
    if not ids:
        messages.error(request, _("Velg minst ett forslag å gi tilbud på."))
        return redirect(target)
    proposals = list(
        Proposal.objects.filter(run=run, pk__in=ids).select_related("run", "request__trainee")
    )
    if not proposals:
        raise PermissionDenied
    made, refused = services.offer_many(actor=request.user, proposals=proposals)
    if made:
        messages.success(
            request,
            _("Tilbud gitt til %(names)s.")
            % {"names": ", ".join(r.trainee.full_name for r in made)},
        )
    for proposal, reason in refused:
        messages.error(
            request,
            _("%(name)s: %(reason)s")
            % {"name": proposal.request.trainee.full_name, "reason": reason},
        )
    return redirect(target)
