"""Pages for trainees: the searchable list, one trainee's page, and the coordinators' edits."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from lisplan.accounts.access import can, get_in_scope, require, roles_summary
from lisplan.trainees import queries, services
from lisplan.trainees.forms import (
    EmploymentForm,
    LeaveForm,
    SupervisionEndForm,
    SupervisionForm,
    TraineeFilterForm,
)
from lisplan.trainees.history import trainee_history
from lisplan.trainees.models import Employment, LeavePeriod, Supervision, Trainee

RESULTS_TARGET = "trainee-results"


@require("trainee.view")
def trainee_list(request):
    form = TraineeFilterForm(request.GET, user=request.user)
    trainees = queries.trainee_list(request.user, form.filters())
    page = Paginator(trainees, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_ends=1)),
    }
    # htmx asks for the results only; history restores and plain GETs get the whole page.
    partial = request.htmx and request.htmx.target == RESULTS_TARGET
    template = "trainees/_results_update.html" if partial else "trainees/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@require("trainee.view")
def trainee_detail(request, pk: int):
    trainee = queries.trainee_detail(request.user, pk)
    return render(
        request,
        "trainees/detail.html",
        {
            "trainee": trainee,
            "roles": roles_summary(trainee.user) if trainee.user_id else [],
            "history": trainee_history(request.user, trainee),
            "can_change": can(request.user, "trainee.change", trainee),
            "can_supervise": can(request.user, "supervision.change", trainee),
            "can_view_plans": can(request.user, "plan.view", trainee),
            "can_view_progress": can(request.user, "progress.view", trainee),
            "can_view_iup": can(request.user, "iup.view", trainee),
            "can_view_confirmations": can(request.user, "confirmation.view", trainee),
        },
    )


def _changeable_trainee(request, pk: int) -> Trainee:
    return get_in_scope(request.user, "trainee.change", Trainee.objects.all(), pk=pk)


def _save(request, form, save, message: str):
    """Validate, call the audited service, and go back to the trainee; or show the errors."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, message)
            return redirect("trainees:detail", form.instance.trainee_id)
    return None


@require("trainee.change")
def employment_add(request, pk: int):
    trainee = _changeable_trainee(request, pk)
    form = EmploymentForm(
        request.POST or None, instance=Employment(trainee=trainee), user=request.user
    )
    done = _save(
        request,
        form,
        lambda data: services.employment_create(actor=request.user, trainee=trainee, **data),
        _("Ansettelsen er registrert."),
    )
    return done or render(
        request,
        "trainees/employment_form.html",
        {"trainee": trainee, "form": form, "title": _("Registrer ansettelse")},
    )


@require("trainee.change")
def employment_edit(request, pk: int, employment_pk: int):
    employment = get_in_scope(
        request.user,
        "trainee.change",
        Employment.objects.filter(trainee_id=pk).select_related("trainee"),
        pk=employment_pk,
    )
    form = EmploymentForm(request.POST or None, instance=employment, user=request.user)
    done = _save(
        request,
        form,
        lambda data: services.employment_update(actor=request.user, employment=employment, **data),
        _("Ansettelsen er endret."),
    )
    return done or render(
        request,
        "trainees/employment_form.html",
        {"trainee": employment.trainee, "form": form, "title": _("Endre ansettelse")},
    )


@require("trainee.change")
def leave_add(request, pk: int):
    trainee = _changeable_trainee(request, pk)
    form = LeaveForm(request.POST or None, instance=LeavePeriod(trainee=trainee))
    done = _save(
        request,
        form,
        lambda data: services.leave_create(actor=request.user, trainee=trainee, **data),
        _("Permisjonen er registrert."),
    )
    return done or render(
        request,
        "trainees/employment_form.html",
        {"trainee": trainee, "form": form, "title": _("Registrer permisjon")},
    )


@require("supervision.change")
def supervision_add(request, pk: int):
    trainee = get_in_scope(request.user, "supervision.change", Trainee.objects.all(), pk=pk)
    form = SupervisionForm(
        request.POST or None,
        instance=Supervision(trainee=trainee),
        trainee=trainee,
        initial={"start": timezone.localdate()},
    )
    done = _save(
        request,
        form,
        lambda data: services.supervision_create(actor=request.user, trainee=trainee, **data),
        _("Veilederen er registrert."),
    )
    return done or render(
        request,
        "trainees/employment_form.html",
        {"trainee": trainee, "form": form, "title": _("Registrer veileder")},
    )


@require("supervision.change")
def supervision_end(request, pk: int, supervision_pk: int):
    supervision = get_object_or_404(
        Supervision.objects.select_related("trainee", "supervisor"),
        pk=supervision_pk,
        trainee_id=pk,
    )
    trainee = get_in_scope(request.user, "supervision.change", Trainee.objects.all(), pk=pk)
    form = SupervisionEndForm(request.POST or None, initial={"end": timezone.localdate()})
    form.instance = supervision  # _save goes back to the trainee of form.instance
    done = _save(
        request,
        form,
        lambda data: services.supervision_update(
            actor=request.user, supervision=supervision, end=data["end"]
        ),
        _("Veiledningen er avsluttet."),
    )
    return done or render(
        request,
        "trainees/employment_form.html",
        {
            "trainee": trainee,
            "form": form,
            "title": _("Avslutt veiledning med %(name)s") % {"name": supervision.supervisor},
        },
    )
