"""Pages for individual education plans (IUP): a trainee's plans, one revision (status
computed from the ledger, signatures, changes from the previous revision), the editor, the
signing actions, the education lead's table-3 templates, the work list of overdue and due plans
and the 1 March / 1 September completeness report. Thin: parse, authorise, call, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lisplan.accounts.access import can, get_in_scope, require, scope_filter
from lisplan.catalogue.models import Specialty
from lisplan.errors import Conflict, DomainError, add_to_form, page_message, page_problems
from lisplan.iup import pages, queries, rules, services
from lisplan.iup.forms import Editor, TemplateForm
from lisplan.iup.models import RequirementsTemplate
from lisplan.organisations.models import Institution
from lisplan.trainees.models import Trainee
from lisplan.ui.paging import page_of


def _page(request, rows):
    page, page_range = page_of(request, rows)
    return {"page": page, "page_range": page_range}


# --- a trainee's plans -----------------------------------------------------------------------


@require("iup.view")
def trainee_plans(request, trainee_id: int):
    trainee = queries.trainee_in_scope(request.user, "iup.view", trainee_id)
    plans = queries.plans_of(trainee)
    today = timezone.localdate()
    d = queries.deadline_for(trainee, today)
    return render(
        request,
        "iup/trainee.html",
        {
            "trainee": trainee,
            "plans": plans,
            "deadline": d.deadline,
            "deadline_colour": pages.STATE_COLOURS.get(d.state, "neutral"),
            "deadline_state_label": pages.state_label(d.state),
            "may_create": can(request.user, "iup.edit", trainee)
            and d.employment is not None
            and not any(p.employment_id == d.employment.get("pk") for p in plans),
            "has_employment": d.employment is not None,
        },
    )


@require("iup.edit")
@require_POST
def plan_create(request, trainee_id: int):
    trainee = queries.trainee_in_scope(request.user, "iup.edit", trainee_id)
    try:
        revision = services.plan_create(actor=request.user, trainee=trainee)
    except DomainError as error:
        messages.error(
            request,
            _("Utdanningsplanen kunne ikke opprettes: %(why)s") % {"why": page_message(error)},
        )
        return redirect("iup:trainee", trainee.pk)
    messages.success(
        request,
        _(
            "Utdanningsplanen er opprettet som utkast, fylt ut med det "
            "lisplan allerede vet. Fyll ut resten."
        ),
    )
    return redirect("iup:edit", revision.pk)


# --- one revision ----------------------------------------------------------------------------


@require("iup.view")
def revision_detail(request, pk: int):
    revision = queries.revision_in_scope(request.user, "iup.view", pk)
    return render(
        request,
        "iup/revision.html",
        pages.revision_context(request.user, revision, timezone.localdate()),
    )


@require("iup.edit")
def revision_edit(request, pk: int):
    revision = queries.revision_in_scope(request.user, "iup.edit", pk)
    if not revision.editable:
        messages.info(
            request,
            _("Bare utkast kan endres. Lag en ny revisjon for å endre en signert utdanningsplan."),
        )
        return redirect("iup:revision", revision.pk)
    editor = Editor(revision, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if editor.is_valid():
            try:
                services.revision_update(
                    actor=request.user,
                    revision=revision,
                    version=editor.form.cleaned_data["version"],
                    supervisors=editor.supervisor_data(),
                    meetings=editor.meeting_data(),
                    periods=editor.period_data(),
                    **editor.form.content(),
                )
            except Conflict:
                editor.errors.append(
                    _(
                        "Utdanningsplanen er endret av noen andre siden du åpnet den. Det du skrev, "
                        "er ikke lagret, men står fortsatt i skjemaet. Åpne planen på nytt i en ny "
                        "fane, og før inn endringene dine der."
                    )
                )
                editor.stale = True
            except DomainError as error:  # the rules' problems by field, or a state
                editor.add_problems(page_problems(error))
            else:
                messages.success(request, _("Utkastet er lagret."))
                if "save_and_view" in request.POST:
                    return redirect("iup:revision", revision.pk)
                return redirect("iup:edit", revision.pk)
        status = 409 if editor.stale else 400
    context = pages.revision_context(request.user, revision, timezone.localdate())
    context.update(
        {
            "editor": editor,
            "form": editor.form,
            "sections": pages.edit_sections(editor.form),
            "error_list": editor.all_errors() if request.method == "POST" else [],
        }
    )
    return render(request, "iup/edit.html", context, status=status)


def _act(request, pk: int, permission: str, action, done: str, **kwargs):
    revision = queries.revision_in_scope(request.user, permission, pk)
    version = request.POST.get("version")
    try:
        if version is not None and action is not services.revision_revise:
            kwargs["version"] = int(version)
        result = action(actor=request.user, revision=revision, **kwargs)
    except ValueError:
        messages.error(request, _("Ugyldig versjon i skjemaet. Last inn siden på nytt."))
    except DomainError as error:
        if error.problems:  # what the plan lacks
            messages.error(
                request,
                _("Planen kan ikke sendes til signering før dette er fylt ut: %(what)s")
                % {"what": " ".join(p.message for p in page_problems(error))},
            )
        else:
            messages.error(request, page_message(error))
    else:
        messages.success(request, done)
        if action is services.revision_sign and request.POST.get("then") == "next":
            # «Signer og gå til neste»: the next plan waiting for this user's signature
            following = queries.awaiting_my_signature(request.user).exclude(pk=revision.pk).first()
            if following is not None:
                return redirect("iup:revision", following.pk)
            messages.info(request, _("Det er ingen flere planer i køen din."))
            return redirect(reverse("plans:to_sign") + "#utdanningsplaner")
        return redirect("iup:revision", result.pk)
    return redirect("iup:revision", revision.pk)


@require("iup.sign")
@require_POST
def revision_submit(request, pk: int):
    return _act(
        request,
        pk,
        "iup.sign",
        services.revision_submit,
        _("Utdanningsplanen er sendt til signering."),
    )


@require("iup.sign")
@require_POST
def revision_sign(request, pk: int):
    return _act(
        request, pk, "iup.sign", services.revision_sign, _("Du har signert utdanningsplanen.")
    )


@require("iup.sign")
@require_POST
def revision_withdraw(request, pk: int):
    return _act(
        request,
        pk,
        "iup.sign",
        services.revision_withdraw,
        _("Utdanningsplanen er trukket tilbake til utkast. Signaturene er fjernet."),
    )


@require("iup.edit")
@require_POST
def revision_revise(request, pk: int):
    return _act(
        request,
        pk,
        "iup.edit",
        services.revision_revise,
        _(
            "Ny revisjon er laget som utkast, fylt ut fra forrige revisjon. Den signerte "
            "revisjonen gjelder til den nye er signert."
        ),
    )


@require("iup.edit")
@require_POST
def template_apply(request, pk: int):
    return _act(
        request,
        pk,
        "iup.edit",
        services.template_apply,
        _("Tabell 3 er fylt ut fra malen til utdanningsansvarlig overlege."),
    )


# --- plans to sign ---------------------------------------------------------------------------


@require("iup.sign")
def to_sign(request):
    """The old address of the IUP list: one «Til signering» page lists both plan kinds."""
    side = request.GET.get("iup_page") or request.GET.get("page")
    query = f"?iup_page={side}" if side and side.isdigit() else ""
    return redirect(reverse("plans:to_sign") + query + "#utdanningsplaner")


# --- the education lead's table-3 templates ------------------------------------------------


def _courses(user):
    """(institution, specialty) pairs the user fills templates for."""
    from lisplan.accounts.access import grants

    g = grants(user)
    if "iup.template" in g.all:
        return None
    return [(i, s) for i, s in g.institutions.get("iup.template", ()) if s is not None]


@require("iup.template")
def templates(request):
    courses = _courses(request.user)
    existing = scope_filter(request.user, "iup.template", RequirementsTemplate.objects.all())
    rows = []
    if courses is None:
        for t in existing.select_related("institution", "specialty"):
            rows.append({"institution": t.institution, "specialty": t.specialty, "template": t})
    else:
        by_key = {(t.institution_id, t.specialty_id): t for t in existing}
        inst = Institution.objects.in_bulk([i for i, _s in courses])
        spec = Specialty.objects.in_bulk([s for _i, s in courses])
        for i, s in courses:
            rows.append(
                {"institution": inst[i], "specialty": spec[s], "template": by_key.get((i, s))}
            )
    return render(request, "iup/templates.html", {"rows": rows})


@require("iup.template")
def template_edit(request, institution_id: int, specialty_id: int):
    courses = _courses(request.user)
    if courses is not None and (institution_id, specialty_id) not in courses:
        from django.http import Http404

        raise Http404
    institution = get_in_scope(
        request.user, "organisation.view", Institution.objects.all(), pk=institution_id
    )
    specialty = get_in_scope(
        request.user, "catalogue.view", Specialty.objects.all(), pk=specialty_id
    )
    tpl = RequirementsTemplate.objects.filter(institution=institution, specialty=specialty).first()
    form = TemplateForm(
        request.POST or None, instance=tpl, initial={"version": tpl.version if tpl else None}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.template_save(
                    actor=request.user,
                    institution=institution,
                    specialty=specialty,
                    version=form.cleaned_data.get("version"),
                    **form.content(),
                )
            except DomainError as error:  # a conflict (409) or the rules' problems (400)
                add_to_form(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    _(
                        "Malen er lagret. Nye utdanningsplaner i %(s)s ved "
                        "%(i)s får tabell 3 fylt ut fra den."
                    )
                    % {"s": specialty, "i": institution},
                )
                return redirect("iup:templates")
        else:
            status = 400
    return render(
        request,
        "iup/template_edit.html",
        {"form": form, "institution": institution, "specialty": specialty, "template": tpl},
        status=status,
    )


# --- the work list and the completeness report -------------------------------------------------


def _filters(request, default_state: str = "attention") -> queries.Filters:
    def as_int(v):
        try:
            return int(v) if v else None
        except ValueError:
            return None

    state = request.GET.get("status") or default_state
    if state not in (*queries.STATES, "attention", "all"):
        state = default_state
    return queries.Filters(
        q=request.GET.get("q", "")[:100],
        institution=as_int(request.GET.get("virksomhet")),
        specialty=request.GET.get("spesialitet") or None,
        state=state,
    )


def _filter_options(user):
    employments = scope_filter(user, "iup.report", Trainee.objects.all()).values(
        "employments__specialty"
    )
    specialties = (
        Specialty.objects.filter(pk__in=employments).order_by("name").values_list("code", "name")
    )
    inst = scope_filter(user, "iup.report", Trainee.objects.all()).values(
        "employments__institution"
    )
    institutions = (
        Institution.objects.filter(pk__in=inst).order_by("name").values_list("pk", "name")
    )
    return {"specialties": list(specialties), "institutions": list(institutions)}


@require("iup.report")
def work_list(request):
    today = timezone.localdate()
    filters = _filters(request)
    rows, counts = queries.work_list(request.user, filters, today)
    context = _page(request, rows)
    queries.attach_trainees(list(context["page"].object_list))
    tabs = [
        (key, label, counts.get(key, 0))
        for key, label in (
            ("attention", _("Trenger oppfølging")),
            ("missing", _("Mangler")),
            ("overdue", _("Forfalt")),
            ("due_soon", _("Forfaller snart")),
            ("ok", _("I orden")),
            ("all", _("Alle")),
        )
    ]
    context.update(
        {
            "filters": filters,
            "tabs": tabs,
            "counts": counts,
            "today": today,
            "state_colours": pages.STATE_COLOURS,
            **_filter_options(request.user),
        }
    )
    return render(request, "iup/work_list.html", context)


@require("iup.report")
def report(request):
    today = timezone.localdate()
    default = rules.next_completeness_date(today)
    on, error = default, ""
    raw = request.GET.get("dato")
    if raw:
        try:
            on = dt.date.fromisoformat(raw)
        except ValueError:
            error = _("«Dato» må være en gyldig dato (åååå-mm-dd).")
        else:
            if not rules.is_completeness_date(on):
                error = _("«Dato» må være 1. mars eller 1. september.")
                on = default
    filters = _filters(request, "all")
    rows, counts = queries.completeness(request.user, on, filters, today)
    context = _page(request, rows)
    queries.attach_report_trainees(list(context["page"].object_list))
    choices = [rules.next_completeness_date(today)]
    while len(choices) < 4:
        choices.append(rules.next_completeness_date(choices[-1] + dt.timedelta(days=1)))
    context.update(
        {
            "on": on,
            "error": error,
            "counts": counts,
            "total": len(rows),
            "filters": filters,
            "date_choices": choices,
            **_filter_options(request.user),
        }
    )
    return render(request, "iup/report.html", context, status=400 if error else 200)
