"""Pages for agreements, the register (fiktiv enhet), queues, conflicts and vacancies.

Thin: authorise (`require` + `get_in_scope`: out of scope is 404, a missing permission 403),
validate a form, call the service, redirect or render."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lisplan.accounts.access import can, get_in_scope, has_permission, require
from lisplan.audit.present import present
from lisplan.audit.services import events_for
from lisplan.errors import DomainError, add_to_form, page_message
from lisplan.rotations import forms as f
from lisplan.rotations import queries, services
from lisplan.rotations.models import (
    CollaborationAgreement,
    RegisterEntry,
    RotationRequest,
    Status,
    Vacancy,
)
from lisplan.ui.paging import page_of


def _history(obj) -> list:
    """The object's audit events in words, newest first (lisplan.audit.present)."""
    return [present(e) for e in events_for(obj).order_by("-created_at", "-id")]


# --- agreements ---------------------------------------------------------------------------


@require("agreement.view")
def agreement_list(request):
    form = f.AgreementFilterForm(request.GET)
    page, page_range = page_of(request, queries.agreement_list(request.user, form.filters()))
    return render(
        request,
        "rotations/agreement_list.html",
        {
            "form": form,
            "page": page,
            "page_range": page_range,
            "can_add": has_permission(request.user, "agreement.change"),
        },
    )


@require("agreement.view")
def agreement_detail(request, pk: int):
    agreement = queries.agreement_detail(request.user, pk)
    document = agreement.document
    return render(
        request,
        "rotations/agreement_detail.html",
        {
            "agreement": agreement,
            "usage": queries.agreement_usage(agreement),
            "document_name": PurePosixPath(document.name).name if document else "",
            "document_size": _size(document),
            "can_change": can(request.user, "agreement.change", agreement),
            "history": _history(agreement) if has_permission(request.user, "audit.view") else [],
        },
    )


def _size(document) -> int | None:
    try:
        return document.size if document else None
    except OSError:  # the row names a file that is gone
        return None


@require("agreement.view")
def agreement_document(request, pk: int):
    """The signed agreement, to those who may see the agreement (404 otherwise, and when there
    is no file). Uploaded files are private (MEDIA_ROOT is not served): this is the only way
    to them."""
    agreement = queries.agreement_detail(request.user, pk)
    document = agreement.document
    if not document or not document.storage.exists(document.name):
        raise Http404(_("Fagavtalen har ingen signert avtale lagret."))
    name = PurePosixPath(document.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        document.open("rb"),
        content_type=content_type,
        as_attachment=content_type != "application/pdf",
        filename=f"fagavtale-{agreement.pk}-{name}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _save_agreement(request, form, save) -> CollaborationAgreement | None:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        agreement = save(form)  # the service refuses unless one party is in the user's scope
    except DomainError as error:
        add_to_form(form, error)
        return None
    messages.success(request, _("Fagavtalen er lagret."))
    return agreement


@require("agreement.change")
def agreement_add(request):
    form = f.AgreementForm(request.POST or None, request.FILES or None)
    agreement = _save_agreement(
        request,
        form,
        lambda form: services.agreement_create(
            actor=request.user, **form.fields_data(), **form.m2m()
        ),
    )
    if agreement:
        return redirect("rotations:agreement", agreement.pk)
    return render(
        request,
        "rotations/form.html",
        {
            "form": form,
            "title": _("Ny fagavtale"),
            "multipart": True,
            "back": "rotations:agreements",
        },
    )


@require("agreement.change")
def agreement_edit(request, pk: int):
    agreement = get_in_scope(
        request.user, "agreement.change", CollaborationAgreement.objects.all(), pk=pk
    )
    form = f.AgreementForm(request.POST or None, request.FILES or None, instance=agreement)
    saved = _save_agreement(
        request,
        form,
        lambda form: services.agreement_update(
            actor=request.user, agreement=agreement, **form.fields_data(), **form.m2m()
        ),
    )
    if saved:
        return redirect("rotations:agreement", saved.pk)
    return render(
        request,
        "rotations/form.html",
        {
            "form": form,
            "title": _("Endre fagavtale"),
            "multipart": True,
            "back": "rotations:agreements",
        },
    )


# --- the register -------------------------------------------------------------------------


@require("register.view")
def request_list(request):
    form = f.RequestFilterForm(request.GET)
    page, page_range = page_of(request, queries.request_list(request.user, form.filters()))
    return render(
        request,
        "rotations/request_list.html",
        {"form": form, "page": page, "page_range": page_range},
    )


@require("register.view")
def register(request):
    page, page_range = page_of(
        request, queries.register_entries(request.user, q=request.GET.get("q", ""))
    )
    return render(
        request,
        "rotations/register.html",
        {
            "page": page,
            "page_range": page_range,
            "q": request.GET.get("q", ""),
            "can_sync": has_permission(request.user, "register.change"),
        },
    )


@require("register.view")
def own_requests(request):
    trainee = getattr(request.user, "trainee", None)
    if trainee is None:
        raise PermissionDenied
    return render(
        request,
        "rotations/own.html",
        {
            "trainee": trainee,
            "rows": queries.own_requests(trainee),
            "entries": RegisterEntry.objects.filter(trainee=trainee).select_related(
                "institution", "specialty"
            ),
        },
    )


# What each step needs: permission, the statuses it starts from, its form, the service call.
ACTIONS: dict[str, tuple[str, tuple[str, ...], type, Callable, str]] = {
    "wish": (
        "register.change",
        (Status.NEED,),
        f.NoFieldsForm,
        lambda u, r, d: services.request_register_wish(actor=u, request=r),
        _("Registrer som ønske"),
    ),
    "forward": (
        "register.forward",
        (Status.WISH,),
        f.NoFieldsForm,
        lambda u, r, d: services.request_forward(actor=u, request=r),
        _("Send til mottakende foretak"),
    ),
    "offer": (
        "register.offer",
        (Status.FORWARDED,),
        f.OfferForm,
        lambda u, r, d: services.request_offer(actor=u, request=r, **d),
        _("Tilby gjennomstrømningsstilling"),
    ),
    "answer": (
        "register.answer",
        (Status.OFFERED,),
        f.AnswerForm,
        lambda u, r, d: services.request_answer(actor=u, request=r, **d),
        _("Svar på tilbud"),
    ),
    "agree-start": (
        "register.offer",
        (Status.ACCEPTED,),
        f.StartDateForm,
        lambda u, r, d: services.request_agree_start(actor=u, request=r, **d),
        _("Registrer avtalt oppstart"),
    ),
    "start": (
        "register.offer",
        (Status.START_AGREED,),
        f.NoFieldsForm,
        lambda u, r, d: services.request_start(actor=u, request=r),
        _("Registrer at perioden har startet"),
    ),
    "complete": (
        "register.offer",
        (Status.IN_PROGRESS,),
        f.CompleteForm,
        lambda u, r, d: services.request_complete(actor=u, request=r, **d),
        _("Registrer gjennomført periode"),
    ),
    "waive": (
        "register.offer",
        (Status.FORWARDED, Status.OFFERED, Status.ACCEPTED, Status.START_AGREED),
        f.WaiveForm,
        lambda u, r, d: services.request_waive_prerequisites(actor=u, request=r, **d),
        _("Gi unntak fra forkunnskapskrav"),
    ),
    "change-start": (
        "register.change",
        (Status.NEED, Status.WISH, Status.FORWARDED, Status.OFFERED, Status.ACCEPTED),
        f.ChangeStartForm,
        lambda u, r, d: services.request_change_start(actor=u, request=r, **d),
        _("Endre ønsket oppstart"),
    ),
    "rank": (
        "register.change",
        (Status.NEED, Status.WISH, Status.FORWARDED),
        f.RankForm,
        lambda u, r, d: services.request_set_rank(actor=u, request=r, **d),
        _("Sett prioritet"),
    ),
    "extend": (
        "register.change",
        (Status.IN_PROGRESS, Status.COMPLETED),
        f.ExtendForm,
        lambda u, r, d: services.request_extend(actor=u, request=r, **d),
        _("Forleng med ny periode"),
    ),
    "cancel": (
        "register.change",
        (
            Status.NEED,
            Status.WISH,
            Status.FORWARDED,
            Status.OFFERED,
            Status.ACCEPTED,
            Status.START_AGREED,
            Status.IN_PROGRESS,
        ),
        f.CancelForm,
        lambda u, r, d: services.request_cancel(actor=u, request=r, **d),
        _("Avbryt"),
    ),
}


def _action_view(name: str):
    permission, _statuses, form_class, call, title = ACTIONS[name]

    @require(permission)
    def view(request, pk: int):
        obj = queries.request_detail(request.user, pk, permission)
        form = form_class(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                result = call(request.user, obj, form.cleaned_data)
            except DomainError as error:
                messages.error(request, page_message(error))
            else:
                messages.success(request, _("Lagret: %(title)s.") % {"title": title})
                if isinstance(result, RotationRequest) and result.pk != obj.pk:
                    return redirect("rotations:request", result.pk)
            return redirect("rotations:request", obj.pk)
        return render(
            request,
            "rotations/form.html",
            {
                "form": form,
                "title": title,
                "subject": obj,
                "back": "rotations:request",
                "back_arg": obj.pk,
            },
        )

    view.__name__ = view.__qualname__ = f"request_{name.replace('-', '_')}"
    return view


ACTION_VIEWS = {name: _action_view(name) for name in ACTIONS}

# The steps' URL path segments, Norwegian like the other pages' (ASCII: å → a, ø → o). The URL
# names stay `request_<step>` and the API's paths stay English (api.md).
ACTION_SLUGS = {
    "wish": "registrer-onske",
    "forward": "videresend",
    "offer": "tilby",
    "answer": "svar",
    "agree-start": "avtal-oppstart",
    "start": "startet",
    "complete": "fullfort",
    "change-start": "endre-oppstart",
    "rank": "prioritet",
    "extend": "forleng",
    "cancel": "avbryt",
    "waive": "unntak-forkunnskap",
}


def action_url_name(name: str) -> str:
    return f"rotations:request_{name.replace('-', '_')}"


@require("register.view")
def request_detail(request, pk: int):
    obj = queries.request_detail(request.user, pk)
    actions = [
        (reverse(action_url_name(name), args=[obj.pk]), title, name == "cancel")
        for name, (perm, statuses, _form, _call, title) in ACTIONS.items()
        if obj.status in statuses
        and has_permission(request.user, perm)
        and can(request.user, perm, obj)
    ]
    return render(
        request,
        "rotations/request_detail.html",
        {
            "obj": obj,
            "actions": actions,
            "eligibility": queries.eligibility([obj]).get(obj.pk),
            "waiting_days": queries.waiting_days(obj),
            "history": _history(obj),
        },
    )


@require("register.change")
def request_add(request, trainee_pk: int):
    trainee = _trainee(request, "register.change", trainee_pk)
    form = f.RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_create(
                actor=request.user, trainee=trainee, **form.cleaned_data
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Behovet er registrert i fiktiv enhet."))
            return redirect("rotations:request", created.pk)
    return render(
        request,
        "rotations/form.html",
        {
            "form": form,
            "title": _("Registrer behov eller ønske"),
            "subject": trainee,
            "back": "rotations:requests",
        },
    )


def _trainee(request, permission: str, pk: int):
    """A trainee in the user's sending scope (their own institution's), else 404."""
    from lisplan.trainees.models import Trainee

    return get_in_scope(request.user, permission, Trainee.objects.all(), pk=pk)


@require("register.change")
def register_sync(request, trainee_pk: int):
    trainee = _trainee(request, "register.change", trainee_pk)
    if request.method != "POST":
        return redirect("rotations:register")
    entries = services.register_sync(actor=request.user, trainee=trainee)
    messages.success(
        request,
        _("Fiktiv enhet er oppdatert for %(name)s: %(n)s registrering(er).")
        % {"name": trainee.full_name, "n": len(entries)},
    )
    return redirect("rotations:register")


# --- queues and conflicts -----------------------------------------------------------------


QUEUES_PER_PAGE = 8
ROWS_PER_QUEUE = 15  # on a page of several queues; one queue chosen shows all its rows
CONFLICTS_PER_PAGE = 50


def _queue_filters(request, visible: queries.VisibleQueued) -> f.QueueFilterForm:
    return f.QueueFilterForm(request.GET, agreements=visible.agreement_ids())


@require("register.view")
def queue_list(request):
    """The queues as a list with counts, filtered and paged: only the queues of one page are
    ranked and checked for eligibility."""
    visible = queries.VisibleQueued(request.user)
    form = _queue_filters(request, visible)
    groups = queries.queue_groups(request.user, form.filters(), visible)
    page = Paginator(groups, QUEUES_PER_PAGE).get_page(request.GET.get("page"))
    queues = queries.queues_for(request.user, list(page.object_list), visible)
    if len(queues) > 1:
        for queue in queues:
            queue.hidden = max(0, len(queue.rows) - ROWS_PER_QUEUE)
            queue.rows = queue.rows[:ROWS_PER_QUEUE]
    return render(
        request,
        "rotations/queues.html",
        {
            "form": form,
            "groups": groups,
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_ends=1)),
            "queues": queues,
            "requests_total": sum(g["count"] for g in groups),
        },
    )


@require("register.view")
def conflict_list(request):
    visible = queries.VisibleQueued(request.user)
    form = _queue_filters(request, visible)
    conflicts = queries.all_conflicts(request.user, form.filters(), visible)
    page = Paginator(conflicts, CONFLICTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rotations/conflicts.html",
        {
            "form": form,
            "conflicts": page.object_list,
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number, on_ends=1)),
        },
    )


# --- vacancies ----------------------------------------------------------------------------


@require("vacancy.view")
def vacancy_list(request):
    return render(
        request,
        "rotations/vacancy_list.html",
        {
            "vacancies": queries.vacancy_list(request.user, open_only=not request.GET.get("all")),
            "can_add": has_permission(request.user, "vacancy.change"),
        },
    )


@require("vacancy.change")
def vacancy_add(request):
    form = f.VacancyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            vacancy = services.vacancy_open(actor=request.user, **data)
        except DomainError as error:
            add_to_form(form, error)
        else:
            return redirect("rotations:vacancy", vacancy.pk)
    return render(
        request,
        "rotations/form.html",
        {
            "form": form,
            "title": _("Meld ledig gjennomstrømningsstilling"),
            "back": "rotations:vacancies",
        },
    )


def _vacancy(request, pk: int, permission: str) -> Vacancy:
    qs = Vacancy.objects.select_related("institution", "arena", "specialty", "selected__trainee")
    return get_in_scope(request.user, permission, qs, pk=pk)


@require("vacancy.view")
def vacancy_detail(request, pk: int):
    vacancy = _vacancy(request, pk, "vacancy.view")
    return render(
        request,
        "rotations/vacancy_detail.html",
        {
            "vacancy": vacancy,
            "rows": queries.candidates(vacancy),
            "can_select": vacancy.state == Vacancy.State.OPEN
            and can(request.user, "vacancy.change", vacancy),
            "can_offer": has_permission(request.user, "register.offer"),
        },
    )


@require("vacancy.change")
def vacancy_select(request, pk: int):
    vacancy = _vacancy(request, pk, "vacancy.change")
    if request.method == "POST":
        chosen = queries.candidate(vacancy, request.POST.get("request"))
        if chosen is None:
            messages.error(request, _("Velg en kandidat fra listen."))
        else:
            try:
                services.vacancy_select(actor=request.user, vacancy=vacancy, request=chosen)
            except DomainError as error:
                messages.error(request, page_message(error))
            else:
                messages.success(request, _("Kandidaten er valgt; lokal koordinator er varslet."))
    return redirect("rotations:vacancy", vacancy.pk)


@require("vacancy.change")
def vacancy_close(request, pk: int):
    vacancy = _vacancy(request, pk, "vacancy.change")
    if request.method == "POST":
        services.vacancy_close(actor=request.user, vacancy=vacancy)
        messages.success(request, _("Stillingen er lukket."))
    return redirect("rotations:vacancy", vacancy.pk)
