"""Pages for implementation plans (individuell gjennomføringsplan): a trainee's plans, one
revision (with its workflow actions, signatures and changes), the editor, the PDF, the list of
plans to sign and the local coordinator's work list. Thin: parse, authorise, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lisplan.accounts.access import get_in_scope, has_permission, require
from lisplan.errors import Conflict, DomainError, page_message, page_problems
from lisplan.plans import pages, queries, rules, services, worklist
from lisplan.plans.forms import (
    ROW_FIELD,
    PeriodForm,
    PlanEditor,
    ReturnForm,
    agreement_rows,
    describe_fields,
    new_row_key,
)
from lisplan.plans.forms import describe_errors as _describe_row
from lisplan.plans.models import Revision
from lisplan.plans.pdf import pdf_response
from lisplan.trainees.models import Trainee
from lisplan.ui.paging import page_of


def _revision(request, pk: int, permission: str) -> Revision:
    return get_in_scope(
        request.user,
        permission,
        Revision.objects.select_related("plan__trainee", "plan__employment"),
        pk=pk,
    )


# --- a trainee's plans -------------------------------------------------------------------


@require("plan.view")
def trainee_plans(request, trainee_id: int):
    trainee = get_in_scope(request.user, "plan.view", Trainee.objects.all(), pk=trainee_id)
    return render(request, "plans/trainee.html", pages.trainee_context(request.user, trainee))


@require("plan.edit")
@require_POST
def plan_create(request, trainee_id: int):
    trainee = get_in_scope(request.user, "plan.edit", Trainee.objects.all(), pk=trainee_id)
    try:
        revision = services.plan_create(actor=request.user, trainee=trainee)
    except (DomainError, ValidationError) as error:
        why = (
            " ".join(error.messages) if isinstance(error, ValidationError) else page_message(error)
        )
        messages.error(request, _("Planen kunne ikke opprettes: %(why)s") % {"why": why})
        return redirect("plans:trainee", trainee.pk)
    messages.success(request, _("Gjennomføringsplanen er opprettet som utkast. Fyll den ut."))
    return redirect("plans:edit", revision.pk)


# --- one revision ------------------------------------------------------------------------


def _detail(request, pk: int, return_form: ReturnForm | None = None, status: int = 200):
    revision = queries.revision_detail(request.user, pk)
    context = pages.revision_context(request.user, revision, timezone.localdate())
    context["return_form"] = return_form or ReturnForm()
    return render(request, "plans/revision.html", context, status=status)


@require("plan.view")
def revision_detail(request, pk: int):
    return _detail(request, pk)


@require("plan.view")
def revision_pdf(request, pk: int):
    revision = queries.revision_detail(request.user, pk)
    return pdf_response(request, revision)


# --- editing a draft ---------------------------------------------------------------------


def _save(request, revision: Revision, editor: PlanEditor) -> bool:
    """Call the service with what parsed; put every refusal by its field. True when saved."""
    if not editor.is_valid():  # still say every rule that fails, all at once
        editor.add_problems(editor.all_problems())
        return False
    try:
        services.revision_update(
            actor=request.user,
            revision=revision,
            version=editor.form.cleaned_data["version"] or 0,
            periods=editor.periods(),
            **editor.form.content(),
        )
    except Conflict:
        editor.add_error(
            _(
                "Planen er endret av noen andre siden du åpnet den. Det du skrev, er "
                "ikke lagret, men står fortsatt i skjemaet. Åpne planen på nytt i en "
                "ny fane, og før inn endringene dine der."
            )
        )
        editor.stale = True
    except DomainError as error:  # a rule's problems by field; a state; who may set a field
        editor.add_problems(page_problems(error))
    except ValidationError as error:
        editor.add_problems(
            [rules.Problem(f, "invalid", m) for f, ms in error.message_dict.items() for m in ms]
        )
    else:
        return True
    return False


@require("plan.edit")
def revision_edit(request, pk: int):
    revision = _revision(request, pk, "plan.edit")
    if not revision.editable:
        messages.info(
            request,
            _(
                "Bare utkast kan endres. Lag en ny revisjon for å endre en "
                "signert eller godkjent plan."
            ),
        )
        return redirect("plans:revision", revision.pk)
    editor = PlanEditor(
        revision,
        request.POST if request.method == "POST" else None,
        options_url=_options_url(revision),
        agreements_url=reverse("plans:agreement_selects", args=[revision.pk]),
    )
    if request.method == "POST" and _save(request, revision, editor):
        messages.success(request, _("Endringene er lagret."))
        return redirect("plans:revision", revision.pk)
    status = 400 if editor.has_errors else 200
    return render(
        request, "plans/edit.html", {"revision": revision, "editor": editor}, status=status
    )


@require("plan.edit")
@require_POST
def revision_check(request, pk: int):
    """The live check (htmx): every rule's message by its row, nothing saved."""
    revision = _revision(request, pk, "plan.edit")
    editor = PlanEditor(revision, request.POST, options_url=_options_url(revision))
    editor.add_problems(editor.all_problems())
    return render(request, "plans/_check.html", {"editor": editor})


@require("plan.edit")
@require_GET
def period_row(request, pk: int):
    """A new, empty row for the periods table (htmx)."""
    revision = _revision(request, pk, "plan.edit")
    try:
        number = max(1, int(request.GET.get("n", "1")))
    except ValueError:
        number = 1
    employer = request.GET.get("employer", "")
    row = PeriodForm(
        key=new_row_key(),
        options_url=_options_url(revision),
        employer_id=int(employer) if employer.isdigit() else revision.employer_id,
    )
    _describe_row(row)
    return render(request, "plans/_period_row.html", {"row": row, "number": number})


def _options_url(revision: Revision) -> str:
    return reverse("plans:arena_options", args=[revision.pk])


@require("plan.edit")
@require_GET
def arena_options(request, pk: int):
    """One row's selects for the institution or specialty just chosen (htmx): the arena select
    (swapped in place) and the agreement select (out of band, by its id). Then the live check
    runs again (`lp-rows-changed`), so a message about the old choice does not linger."""
    revision = _revision(request, pk, "plan.edit")
    key = next((k for k in request.GET if ROW_FIELD.match(k)), None)
    if key is None:
        return HttpResponse(status=400)
    employer = request.GET.get("employer", "")
    row = PeriodForm(
        request.GET,
        key=ROW_FIELD.match(key).group(1),
        refresh=True,
        employer_id=int(employer) if employer.isdigit() else revision.employer_id,
    )
    describe_fields(row)
    row.fields["agreement"].widget.attrs["hx-swap-oob"] = "true"
    response = HttpResponse(row["arena"].as_widget() + row["agreement"].as_widget())
    # after the swap: a check sent before it would post a dropped link and show its message
    response["HX-Trigger-After-Swap"] = "lp-rows-changed"
    return response


@require("plan.edit")
@require_GET
def agreement_selects(request, pk: int):
    """Every row's agreement select for the employer just chosen (htmx, out of band by id):
    the agreements offered are the employer's, and a linked one that is not the new
    employer's is dropped, as when a row's institution or specialty changes. Then the live
    check runs again (`lp-rows-changed`, once the selects are swapped in)."""
    _revision(request, pk, "plan.edit")  # in the user's scope, or 404
    employer = request.GET.get("employer", "")
    selects = []
    for row in agreement_rows(request.GET, int(employer) if employer.isdigit() else None):
        describe_fields(row)
        row.fields["agreement"].widget.attrs["hx-swap-oob"] = "true"
        selects.append(row["agreement"].as_widget())
    response = HttpResponse("".join(selects))
    # after the swap: a check sent before it would post the dropped link and show its message
    response["HX-Trigger-After-Swap"] = "lp-rows-changed"
    return response


# --- workflow actions --------------------------------------------------------------------


def _act(request, revision: Revision, action, done: str, queue=None, empty_url: str = ""):
    """Run a workflow action and come back to the revision — or, with «… og gå til neste»
    (`then=next`), go on to the next revision in the user's queue (`queue()`), or to
    `empty_url` when the queue is empty."""
    try:
        action()
    except DomainError as error:
        if error.problems:  # the rules the plan breaks, each by its field
            messages.error(request, _("Planen kan ikke sendes videre før dette er rettet:"))
            for problem in page_problems(error):
                messages.error(request, f"{pages.problem_label(problem.field)}: {problem.message}")
        else:
            messages.error(request, page_message(error))
    else:
        messages.success(request, done)
        if queue is not None and request.POST.get("then") == "next":
            following = queue().exclude(pk=revision.pk).first()
            if following is not None:
                return redirect("plans:revision", following.pk)
            messages.info(request, _("Det er ingen flere planer i køen din."))
            return redirect(empty_url)
    return redirect("plans:revision", revision.pk)


@require("plan.sign")
@require_POST
def revision_submit(request, pk: int):
    revision = _revision(request, pk, "plan.sign")
    return _act(
        request,
        revision,
        lambda: services.revision_submit(actor=request.user, revision=revision),
        _("Planen er sendt til signering hos leder og arbeidstaker."),
    )


@require("plan.sign")
@require_POST
def revision_sign(request, pk: int):
    revision = _revision(request, pk, "plan.sign")
    return _act(
        request,
        revision,
        lambda: services.revision_sign(actor=request.user, revision=revision),
        _("Du har signert planen."),
        queue=lambda: pages.awaiting_my_signature(request.user),
        empty_url=reverse("plans:to_sign"),
    )


@require("plan.sign")
@require_POST
def revision_withdraw(request, pk: int):
    revision = _revision(request, pk, "plan.sign")
    return _act(
        request,
        revision,
        lambda: services.revision_withdraw(actor=request.user, revision=revision),
        _(
            "Planen er trukket tilbake til utkast. Signaturene er fjernet; send den til signering "
            "igjen når den er klar."
        ),
    )


@require("plan.approve")
@require_POST
def revision_approve(request, pk: int):
    revision = _revision(request, pk, "plan.approve")
    return _act(
        request,
        revision,
        lambda: services.revision_approve(
            actor=request.user,
            revision=revision,
            confirm_no_agreement=request.POST.get("confirm_no_agreement") == "1",
        ),
        _("Planen er godkjent. Godkjenningen gjelder i 12 måneder."),
        queue=lambda: worklist.awaiting(request.user, timezone.localdate()),
        empty_url=reverse("plans:work_list") + "?fane=awaiting",
    )


@require("plan.approve")
@require_POST
def revision_return(request, pk: int):
    revision = _revision(request, pk, "plan.approve")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, return_form=form, status=400)
    return _act(
        request,
        revision,
        lambda: services.revision_return(
            actor=request.user, revision=revision, comment=form.cleaned_data["comment"]
        ),
        _("Planen er returnert til leder og lege med kommentaren din."),
    )


@require("plan.edit")
@require_POST
def revision_revise(request, pk: int):
    revision = _revision(request, pk, "plan.edit")
    try:
        new = services.revision_revise(actor=request.user, revision=revision)
    except DomainError as error:
        messages.error(request, page_message(error))
        return redirect("plans:revision", revision.pk)
    messages.success(
        request,
        _(
            "Revisjon %(n)s er laget som utkast, fylt ut fra den godkjente "
            "planen. Den godkjente planen gjelder til revisjonen er "
            "godkjent."
        )
        % {"n": new.number},
    )
    return redirect("plans:edit", new.pk)


# --- lists -------------------------------------------------------------------------------


def _page(request, rows):
    page, page_range = page_of(request, rows)
    return {"page": page, "page_range": page_range}


@require(None)
def to_sign(request):
    """«Til signering»: implementation plans, education plans (IUP) and service confirmations
    that wait for the user's signature, one list per kind the user may sign (`plan.sign`,
    `iup.sign`, `confirmation.sign`), each with its count and its own pagination (`?page=` /
    `?iup_page=` / `?bekreftelser_page=`). The IUP list comes from the
    iup app's own query; `iup:to_sign` redirects here."""
    from lisplan.confirmations import queries as confirmation_queries
    from lisplan.iup import queries as iup_queries  # the IUP app builds on plans, not back

    may_plans = has_permission(request.user, "plan.sign")
    may_iup = has_permission(request.user, "iup.sign")
    may_confirmations = has_permission(request.user, "confirmation.sign")
    if not (may_plans or may_iup or may_confirmations):
        raise PermissionDenied
    context = {"may_plans": may_plans, "may_iup": may_iup, "may_confirmations": may_confirmations}
    if may_confirmations:  # service confirmations: their own list and pagination
        page = page_of(
            request, confirmation_queries.awaiting_my_signature(request.user), "bekreftelser_page"
        )
        context |= {"confirmation_page": page[0], "confirmation_page_range": page[1]}
    if may_plans:
        page = page_of(request, pages.awaiting_my_signature(request.user))
        context |= {"page": page[0], "page_range": page[1]}
    if may_iup:
        page = page_of(request, iup_queries.awaiting_my_signature(request.user), "iup_page")
        context |= {"iup_page": page[0], "iup_page_range": page[1]}
    return render(request, "plans/to_sign.html", context)


@require("plan.approve")
def work_list(request):
    today = timezone.localdate()
    tab = request.GET.get("fane") if request.GET.get("fane") in worklist.TAB_KEYS else "awaiting"
    q, specialty = request.GET.get("q", "").strip()[:100], request.GET.get("spesialitet", "")
    rows = worklist.filter_rows(worklist.QUERIES[tab](request.user, today), tab, q, specialty)
    paged = _page(request, rows)
    paged["page"].object_list = worklist.with_days_left(paged["page"].object_list, today)
    return render(
        request,
        "plans/work_list.html",
        {
            "tab": tab,
            "tabs": worklist.TABS,
            "counts": worklist.counts(request.user, today),
            "q": q,
            "specialty": specialty,
            "specialties": pages.specialty_choices(),
            **paged,
        },
    )


@require("plan.approve")
@require_POST
def work_list_remind(request):
    ids = [int(i) for i in request.POST.getlist("lege") if i.isdigit()][:500]
    sent = pages.send_reminders(
        request.user, worklist.reminder_trainees(request.user, ids), request.POST.get("fane", "")
    )
    if sent:
        messages.success(request, _("Påminnelse er sendt om %(n)s lege(r).") % {"n": sent})
    else:
        messages.error(request, _("Velg minst én lege å sende påminnelse om."))
    tab = request.POST.get("fane", "")
    return redirect(
        reverse("plans:work_list") + (f"?fane={tab}" if tab in worklist.TAB_KEYS else "")
    )
