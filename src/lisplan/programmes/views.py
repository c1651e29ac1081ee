"""Pages: the institutions' programme plans (list, draft from the template, edit, publish), the
public page and PDF of a published plan, the coverage map (by region, by goal, by institution)
and the gap report. Rules live in `services` and the access policy; reads in `queries`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lisplan.accounts.access import (
    can,
    get_in_scope,
    grants,
    has_permission,
    public,
    require,
    scope_filter,
)
from lisplan.catalogue.models import Specialty
from lisplan.errors import DomainError, add_to_form, page_message
from lisplan.organisations.models import Institution, Region
from lisplan.programmes import forms, pages, queries, services
from lisplan.programmes.models import ProgrammePlan, Status
from lisplan.programmes.pdf import pdf_filename, render_plan_pdf

# --- public ------------------------------------------------------------------------------------


def _published_or_404(institution: str, specialty: str) -> ProgrammePlan:
    plan = queries.published_plan(institution, specialty)
    if plan is None:
        raise Http404
    return queries.plan_detail(ProgrammePlan.objects.all(), plan.pk)


@public
def public_plan(request, institution: str, specialty: str):
    """The current published version, for applicants and partner trusts: no login, no
    personal data."""
    plan = _published_or_404(institution, specialty)
    return render(
        request,
        "programmes/public.html",
        {
            **pages.document_context(plan),
            "public": True,
            "pdf_url": queries.public_path(plan) + "pdf/",
        },
    )


@public
def public_pdf(request, institution: str, specialty: str):
    plan = _published_or_404(institution, specialty)
    response = HttpResponse(render_plan_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(plan)}"'
    return response


# --- the institutions' plans -------------------------------------------------------------------


def _editable_courses(user) -> list[tuple[Institution, Specialty]]:
    """(institution, specialty) pairs the user drafts plans for: an education lead's courses;
    for an administrator every approved course."""
    from lisplan.organisations.models import Approval

    g = grants(user)
    if "programme.edit" in g.all:
        pairs = set(Approval.objects.values_list("institution_id", "specialty_id"))
    else:
        pairs = {(i, s) for i, s in g.institutions.get("programme.edit", ()) if s is not None}
    inst = Institution.objects.in_bulk({i for i, _s in pairs})
    spec = Specialty.objects.in_bulk({s for _i, s in pairs})
    return sorted(
        ((inst[i], spec[s]) for i, s in pairs if i in inst and s in spec),
        key=lambda p: (p[1].name, p[0].name),
    )


@require("programme.view")
def plan_list(request):
    qs = scope_filter(request.user, "programme.view", ProgrammePlan.objects.all())
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=Status.SUPERSEDED)
    specialty = request.GET.get("specialty", "")
    if specialty:
        qs = qs.filter(specialty__code__iexact=specialty)
    rows = list(
        qs.select_related("institution", "specialty").order_by(
            "specialty__name", "institution__name", "-number"
        )[:500]
    )
    can_edit = has_permission(request.user, "programme.edit")
    return render(
        request,
        "programmes/list.html",
        {
            "plans": rows,
            "statuses": Status.choices,
            "status": status,
            "specialty": specialty,
            "create_form": forms.CourseForm(courses=_editable_courses(request.user))
            if can_edit
            else None,
        },
    )


@require("programme.edit")
def plan_create(request):
    courses = _editable_courses(request.user)
    form = forms.CourseForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        inst_id, spec_id = (int(x) for x in form.cleaned_data["course"].split("-"))
        institution = Institution.objects.get(pk=inst_id)
        specialty = Specialty.objects.get(pk=spec_id)
        try:
            plan = services.draft_create(
                actor=request.user, institution=institution, specialty=specialty
            )
        except DomainError as error:
            form.add_error("course", page_message(error))
        else:
            messages.success(
                request,
                _(
                    "Utkastet er laget fra den nasjonale malen. Fyll inn "
                    "læringsmålene per læringsarena."
                ),
            )
            return redirect("programmes:edit", plan.pk)
    return render(
        request, "programmes/create.html", {"form": form}, status=400 if form.errors else 200
    )


def _plan(request, pk: int, permission: str = "programme.view") -> ProgrammePlan:
    plan = get_in_scope(request.user, "programme.view", ProgrammePlan.objects.all(), pk=pk)
    if permission != "programme.view" and not can(request.user, permission, plan):
        raise PermissionDenied
    return plan


@require("programme.view")
def plan_detail(request, pk: int):
    plan = queries.plan_detail(ProgrammePlan.objects.all(), _plan(request, pk).pk)
    user = request.user
    context = pages.document_context(plan)
    if plan.status == Status.DRAFT:
        context["publish_problems"] = services.publish_problems(plan)
    others = (
        ProgrammePlan.objects.filter(institution=plan.institution_id, specialty=plan.specialty_id)
        .exclude(pk=plan.pk)
        .order_by("-number")
    )
    return render(
        request,
        "programmes/detail.html",
        {
            **context,
            "versions": scope_filter(user, "programme.view", others),
            "can_edit": plan.editable and can(user, "programme.edit", plan),
            "can_publish": plan.editable and can(user, "programme.publish", plan),
            "can_revise": (
                plan.status == Status.PUBLISHED
                and can(user, "programme.edit", plan)
                and not others.filter(status=Status.DRAFT).exists()
            ),
            "public_url": queries.public_path(plan) if plan.status == Status.PUBLISHED else "",
        },
    )


@require("programme.edit")
def plan_edit(request, pk: int):
    plan = _plan(request, pk, "programme.edit")
    if not plan.editable:
        messages.error(request, _("En publisert utdanningsplan endres ikke. Lag en ny versjon."))
        return redirect("programmes:detail", plan.pk)
    initial = forms.initial_of(plan)
    data = request.POST if request.method == "POST" else None
    texts = forms.TextsForm(data, initial=initial["texts"])
    phases = forms.PhaseFormSet(data, initial=initial["phases"], prefix="phases")
    n_phases = len(initial["phases"])
    if data is not None and phases.is_valid():
        n_phases = len(forms._rows(phases))
    kwargs = {"plan": plan, "n_phases": max(n_phases, len(initial["phases"]))}
    arenas = forms.ArenaFormSet(
        data, initial=initial["arenas"], prefix="arenas", form_kwargs=kwargs
    )
    periods = forms.PeriodFormSet(
        data, initial=initial["periods"], prefix="periods", form_kwargs=kwargs
    )
    status = 200
    if data is not None:
        if all(f.is_valid() for f in (texts, phases, arenas, periods)):
            content = forms.content_of(texts, phases, arenas, periods)
            try:
                services.draft_update(
                    actor=request.user,
                    plan=plan,
                    version=texts.cleaned_data["version"],
                    content=content,
                )
            except DomainError as error:  # a conflict (409) or the rules' problems (400)
                add_to_form(texts, error)
                status = error.status
            else:
                messages.success(request, _("Utkastet er lagret."))
                return redirect("programmes:detail", plan.pk)
        else:
            status = 400
    return render(
        request,
        "programmes/edit.html",
        {"plan": plan, "form": texts, "phases": phases, "arenas": arenas, "periods": periods},
        status=status,
    )


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@require("programme.publish")
@require_POST
def plan_publish(request, pk: int):
    plan = _plan(request, pk, "programme.publish")
    try:
        services.publish(actor=request.user, plan=plan, version=_version(request))
    except DomainError as error:
        messages.error(request, page_message(error))
    else:
        messages.success(request, _("Utdanningsplanen er publisert på den offentlige siden."))
    return redirect("programmes:detail", plan.pk)


@require("programme.edit")
@require_POST
def plan_delete(request, pk: int):
    plan = _plan(request, pk, "programme.edit")
    try:
        services.draft_delete(actor=request.user, plan=plan, version=_version(request))
    except DomainError as error:
        messages.error(request, page_message(error))
        return redirect("programmes:detail", plan.pk)
    messages.success(request, _("Utkastet er slettet."))
    return redirect("programmes:list")


@require("programme.edit")
@require_POST
def plan_revise(request, pk: int):
    plan = _plan(request, pk, "programme.edit")
    try:
        draft = services.draft_create(
            actor=request.user, institution=plan.institution, specialty=plan.specialty
        )
    except DomainError as error:
        messages.error(request, page_message(error))
        return redirect("programmes:detail", plan.pk)
    messages.success(request, _("Ny versjon er laget som utkast fra den publiserte."))
    return redirect("programmes:edit", draft.pk)


@require("programme.view")
def plan_pdf(request, pk: int):
    plan = queries.plan_detail(ProgrammePlan.objects.all(), _plan(request, pk).pk)
    response = HttpResponse(render_plan_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(plan)}"'
    return response


# --- coverage --------------------------------------------------------------------------------


def _default_region(user) -> Region | None:
    """The region of the user's scope (their region, or their institution's)."""
    g = grants(user)
    regions = g.regions.get("programme.view", ())
    if regions:
        return Region.objects.filter(pk=regions[0]).first()
    inst = [i for i, _s in g.institutions.get("programme.view", ())]
    if inst:
        return Region.objects.filter(institutions__pk=inst[0]).first()
    return Region.objects.filter(institutions__programme_plans__status=Status.PUBLISHED).first()


def _region(request) -> Region | None:
    code = request.GET.get("region")
    if code == "":
        return None  # the whole country
    if code:
        region = Region.objects.filter(code__iexact=code).first()
        if region is None:
            raise Http404
        return region
    return _default_region(request.user)


@require("programme.view")
def coverage_region(request):
    """By region: each specialty with published plans, per institution the number of goals
    reachable at home or through agreements, and the gaps."""
    region = _region(request)
    pairs = queries.courses(region=region)
    covs = queries.coverage_many(pairs, region=region)
    inst = Institution.objects.in_bulk({i for i, _s in pairs})
    specs = Specialty.objects.in_bulk({s for _i, s in pairs})
    rows: dict[int, dict] = {}
    for cov in covs:
        row = rows.setdefault(cov.specialty_id, {"specialty": specs[cov.specialty_id], "cells": []})
        row["cells"].append(
            {
                "institution": inst[cov.institution_id],
                "goals": len(cov.goals),
                "home": sum(1 for g in cov.goals if g.at_home),
                "agreements": sum(1 for g in cov.goals if not g.at_home and g.agreements),
                "gaps": len(cov.gaps),
            }
        )
    table = sorted(rows.values(), key=lambda r: r["specialty"].name)
    for r in table:
        r["cells"].sort(key=lambda c: c["institution"].name)
    return render(
        request,
        "programmes/coverage.html",
        {
            "region": region,
            "regions": Region.objects.all(),
            "rows": table,
            "search": forms.GoalSearchForm(),
        },
    )


@require("programme.view")
def goal_search(request):
    form = forms.GoalSearchForm(request.GET or None)
    if form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        if queries.current_goal(code) is not None:
            url = f"{request.path.rstrip('/')}/{code}/"
            region = request.GET.get("region")
            return redirect(url + (f"?region={region}" if region is not None else ""))
        form.add_error(
            "code", _("Fant ikke noe gjeldende læringsmål med koden «%(c)s».") % {"c": code}
        )
    return render(
        request, "programmes/goal_search.html", {"search": form}, status=400 if form.errors else 200
    )


@require("programme.view")
def coverage_goal(request, code: str):
    """By goal: «where can ORT-023 be reached, and through which agreement for my trainees?»"""
    goal = queries.current_goal(code)
    if goal is None:
        raise Http404
    region = _region(request)
    places = queries.goal_places(goal.code, region=region)
    mine = set(i for i, _s in grants(request.user).institutions.get("programme.view", ()))
    for p in places:
        p["for_mine"] = bool(p["sending_institution"] and p["sending_institution"]["id"] in mine)
    return render(
        request,
        "programmes/goal.html",
        {
            "goal": goal,
            "text": goal.text.removeprefix("[Demo] "),
            "places": places,
            "region": region,
            "regions": Region.objects.all(),
            "mine": bool(mine),
        },
    )


@require("programme.view")
def coverage_institution(request, institution_id: int, specialty_id: int):
    """By institution: the goal × arena matrix of one specialty, with the gaps and the places
    elsewhere that offer them."""
    institution = get_in_scope(
        request.user, "organisation.view", Institution.objects.all(), pk=institution_id
    )
    specialty = get_in_scope(
        request.user, "catalogue.view", Specialty.objects.all(), pk=specialty_id
    )
    cov = queries.coverage(institution.pk, specialty.pk)
    names = queries.Names.of([p for g in cov.goals for p in g.places])
    plan = queries.plan_detail(ProgrammePlan.objects.all(), cov.plan_id) if cov.plan_id else None
    # columns: (kind, id, name, who approves the goals reached there)
    columns = (
        [("arena", a.arena_id, a.arena.name, institution.name) for a in plan.arenas.all()]
        if plan
        else []
    )
    agreement_ids = sorted({a for g in cov.goals for a in g.agreements})
    approver = {
        p.agreement_id: p.approving_institution_id
        for g in cov.goals
        for p in g.places
        if p.agreement_id in agreement_ids
    }
    from lisplan.rotations.models import CollaborationAgreement

    agreements = CollaborationAgreement.objects.select_related("receiving").in_bulk(agreement_ids)
    columns += [
        (
            "agreement",
            a,
            agreements[a].receiving.name,
            names.institutions[approver[a]].name if a in approver else "",
        )
        for a in agreement_ids
    ]
    rows = []
    for g in cov.goals:
        cells = [
            (kind == "arena" and key in g.home_arenas)
            or (kind == "agreement" and key in g.agreements)
            for kind, key, _name, _approver in columns
        ]
        rows.append(
            {
                "goal": g,
                "cells": cells,
                "candidates": [queries.place_dict(p, names) for p in g.candidates] if g.gap else [],
            }
        )
    by_code = {g.code: g for g in cov.goals}
    shortfalls = [  # the goals with their words, never bare codes (issue 17)
        (s, [by_code.get(code, code) for code in s.goals])
        for s in queries.capacity_shortfalls([cov])
    ]
    return render(
        request,
        "programmes/institution.html",
        {
            "institution": institution,
            "specialty": specialty,
            "plan": plan,
            "columns": columns,
            "rows": rows,
            "gaps": cov.gaps,
            "shortfalls": shortfalls,
        },
    )


def _gap_export(rows, names, fmt: str):
    """The gap report as a spreadsheet: one row per gap (with the candidate places) and per
    capacity shortfall."""
    from lisplan.exports import Column, export_response

    columns = [
        Column(_("Virksomhet"), 36),
        Column(_("Spesialitet"), 28),
        Column(_("Hva"), 12),
        Column(_("Læringsmål"), 12),
        Column(_("Tekst"), 60),
        Column(_("Kan nås ved"), 60),
        Column(_("Leger i fiktiv enhet")),
        Column(_("Plasser som trengs samtidig")),
        Column(_("Plasser i fagavtalene")),
    ]

    def lines():
        for r in rows:
            for g in r.gaps:
                places = "; ".join(
                    names.institutions[p.institution_id].name
                    + (f" ({names.arenas[p.arena_id].name})" if p.arena_id else "")
                    for p in g.candidates
                )
                yield (
                    r.institution.name,
                    r.specialty.name,
                    _("Mangel"),
                    g.code,
                    g.text,
                    places,
                    None,
                    None,
                    None,
                )
            for s in r.shortfalls:
                yield (
                    r.institution.name,
                    r.specialty.name,
                    _("Kapasitet"),
                    ", ".join(s.goals),
                    "",
                    "",
                    s.trainees,
                    s.demand,
                    s.capacity,
                )

    return export_response(lines(), columns, "mangler-i-utdanningslopene", fmt=fmt)


@require("programme.view")
def gap_report(request):
    region = _region(request)
    rows = queries.gap_report(region=region)
    names = queries.Names.of([p for r in rows for g in r.gaps for p in g.candidates])
    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "csv"):
        return _gap_export(rows, names, fmt)
    view = [
        {
            "row": r,
            "gaps": [
                {"goal": g, "candidates": [queries.place_dict(p, names) for p in g.candidates]}
                for g in r.gaps
            ],
        }
        for r in rows
    ]
    return render(
        request,
        "programmes/gaps.html",
        {
            "rows": view,
            "region": region,
            "regions": Region.objects.all(),
            "gap_count": sum(len(r.gaps) for r in rows),
            "shortfall_count": sum(len(r.shortfalls) for r in rows),
        },
    )
