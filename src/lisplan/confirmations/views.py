"""Pages for service confirmations: a trainee's confirmations with the request form, one
version (the confirmation in words, its actions, its versions and events, the PDF), and the
coordinator's work list. Thin: look up in scope, call the service, redirect or render; the
services decide who may do what."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lisplan.accounts.access import require
from lisplan.confirmations import pages, queries, services
from lisplan.confirmations.pdf import pdf_response
from lisplan.errors import DomainError
from lisplan.trainees.models import Employment


@require("confirmation.view")
def trainee_confirmations(request, trainee_id: int):
    trainee = queries.trainee_in_scope(request.user, "confirmation.view", trainee_id)
    rows = queries.of_trainee(request.user, trainee)
    for row in rows:
        e = row["employment"]
        row["may_request"] = (
            e is not None and not row["open"] and services.may_request(request.user, e)
        )
    return render(
        request,
        "confirmations/trainee.html",
        {"trainee": trainee, "rows": rows, "own": trainee.user_id == request.user.pk},
    )


@require("confirmation.request")
@require_POST
def confirmation_request(request, trainee_id: int):
    trainee = queries.trainee_in_scope(request.user, "confirmation.view", trainee_id)
    employment_id = request.POST.get("ansettelse", "")
    employment = (
        Employment.objects.filter(trainee=trainee, pk=int(employment_id)).first()
        if employment_id.isdigit()
        else None
    )
    if employment is None:
        raise Http404
    try:
        version = services.confirmation_request(
            actor=request.user, employment=employment, note=request.POST.get("merknad", "")
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("confirmations:trainee", trainee.pk)
    messages.success(
        request,
        _(
            "Bekreftelsen er bestilt. Koordinatoren kontrollerer tjenesten og sender den til lederen."
        ),
    )
    return redirect("confirmations:version", version.pk)


@require("confirmation.view")
def version_detail(request, pk: int):
    version = queries.version_in_scope(request.user, "confirmation.view", pk)
    actions = services.actions(request.user, version)
    return render(
        request,
        "confirmations/version.html",
        {
            # the coordinator checks the count before issuing it
            "preview": pages.preview(version, timezone.localdate()) if actions["issue"] else None,
            "version": version,
            "trainee": version.confirmation.trainee,
            "doc": pages.document(version),
            "signature": pages.signature(version),
            "status_colour": pages.STATUS_COLOURS.get(version.status, "neutral"),
            "actions": actions,
            "series": queries.series_of(version),
            "events": pages.version_events(version),
        },
    )


def _act(request, pk: int, action, done: str, **kwargs):
    version = queries.version_in_scope(request.user, "confirmation.view", pk)
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("Ugyldig versjon i skjemaet. Last inn siden på nytt."))
        return redirect("confirmations:version", version.pk)
    try:
        action(actor=request.user, confirmation=version, version=expected, **kwargs)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
        if action is services.confirmation_sign and request.POST.get("then") == "next":
            following = queries.awaiting_my_signature(request.user).exclude(pk=version.pk).first()
            if following is not None:
                return redirect("confirmations:version", following.pk)
            return redirect("plans:to_sign")
    return redirect("confirmations:version", version.pk)


@require("confirmation.issue")
@require_POST
def confirmation_issue(request, pk: int):
    return _act(
        request,
        pk,
        services.confirmation_issue,
        _("Bekreftelsen er utstedt og sendt til lederen for signering."),
    )


@require("confirmation.issue")
@require_POST
def confirmation_decline(request, pk: int):
    return _act(
        request,
        pk,
        services.confirmation_decline,
        _("Bestillingen er avslått. Legen får beskjed med begrunnelsen."),
        comment=request.POST.get("kommentar", ""),
    )


@require("confirmation.view")
@require_POST
def confirmation_return(request, pk: int):
    return _act(
        request,
        pk,
        services.confirmation_return,
        _("Bekreftelsen er sendt tilbake til koordinatoren."),
        comment=request.POST.get("kommentar", ""),
    )


@require("confirmation.sign")
@require_POST
def confirmation_sign(request, pk: int):
    return _act(request, pk, services.confirmation_sign, _("Du har signert bekreftelsen."))


@require("confirmation.view")
def confirmation_pdf(request, pk: int):
    version = queries.version_in_scope(request.user, "confirmation.view", pk)
    if version.snapshot is None:
        raise Http404  # nothing to print before the coordinator has issued it
    return pdf_response(request, version)


def _paged(rows, number):
    page = Paginator(rows, settings.PAGE_SIZE).get_page(number)
    return page, list(page.paginator.get_elided_page_range(page.number, on_ends=1))


@require("confirmation.issue")
def work_list(request):
    """«Til utstedelse»: requested confirmations of the coordinator's employers, oldest first;
    below, those waiting at a leader for signature."""
    page, page_range = _paged(queries.to_issue(request.user), request.GET.get("page"))
    at_leader, at_leader_range = _paged(
        queries.at_leader(request.user), request.GET.get("hos_leder")
    )
    return render(
        request,
        "confirmations/work_list.html",
        {
            "page": page,
            "page_range": page_range,
            "at_leader": at_leader,
            "at_leader_range": at_leader_range,
        },
    )
