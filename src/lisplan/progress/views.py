"""Progress pages: the trainee's progress, the overview, and recording/approving.

Who may do what (permissions in `lisplan.accounts.access`):
* see progress (`progress.view`): the trainee, supervisors, leaders, UAO/UKO, coordinators,
  planners — each in their scope;
* record activities and mark goals as started (`progress.record`): the trainee themself, their
  supervisors, the leader of their arena, the local coordinator;
* approve goals and register service periods (`progress.approve`): the leader of the
  trainee's learning arena and the local coordinator of the employer (never for themselves).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lisplan.accounts.access import can, get_in_scope, has_permission, require
from lisplan.catalogue.models import LearningGoal
from lisplan.progress import pages, queries, services, upload
from lisplan.progress.forms import (
    ActivityForm,
    GoalApproveForm,
    GoalMarkForm,
    ImportUploadForm,
    OverviewFilterForm,
    ServicePeriodForm,
)
from lisplan.progress.models import ActivityKind, ActivityRecord, GoalStatus, ServicePeriod

RESULTS_TARGET = "progress-results"


@require("progress.view")
def overview(request):
    form = OverviewFilterForm(request.GET, user=request.user)
    filters = pages.overview_filters(form)
    counts = pages.status_counts(request.user, filters)
    paginator = Paginator(queries.overview(request.user, filters), settings.PAGE_SIZE)
    paginator.count = pages.listed(counts, filters)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_ends=1)),
        "can_import": has_permission(request.user, "progress.import"),
    }
    partial = request.htmx and request.htmx.target == RESULTS_TARGET
    template = "progress/_overview_results.html" if partial else "progress/overview.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@require("progress.view")
def trainee_progress(request, pk: int):
    trainee = queries.progress_trainee(request.user, pk)
    context = pages.progress_context(trainee, timezone.localdate())
    context.update(
        can_record=can(request.user, "progress.record", trainee),
        can_approve=can(request.user, "progress.approve", trainee)
        and trainee.user_id != request.user.pk,
        activity_kinds=ActivityKind.choices,
    )
    return render(request, "progress/trainee.html", context)


def _save(request, form, save, message: str, pk: int):
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errs in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, message)
            return redirect("progress:trainee", pk)
    return None


def _form_page(request, trainee, form, title: str):
    return render(request, "progress/form.html", {"trainee": trainee, "form": form, "title": title})


@require("progress.record")
def activity_add(request, pk: int, kind: str):
    if kind not in ActivityKind.values:
        raise Http404
    trainee = queries.trainee_in_scope(request.user, "progress.record", pk)
    form = ActivityForm(
        request.POST or None,
        kind=kind,
        trainee=trainee,
        instance=ActivityRecord(trainee=trainee, kind=kind),
    )

    def save(data):
        goals = data.pop("goals", [])
        services.activity_create(
            actor=request.user, trainee=trainee, kind=kind, goals=goals, **data
        )

    done = _save(request, form, save, _("Aktiviteten er registrert."), pk)
    return done or _form_page(
        request,
        trainee,
        form,
        _("Registrer %(kind)s") % {"kind": str(ActivityKind(kind).label).lower()},
    )


def _activity(request, pk: int, activity_pk: int) -> ActivityRecord:
    return get_in_scope(
        request.user,
        "progress.record",
        ActivityRecord.objects.filter(trainee_id=pk).select_related("trainee"),
        pk=activity_pk,
    )


@require("progress.record")
def activity_edit(request, pk: int, activity_pk: int):
    activity = _activity(request, pk, activity_pk)
    form = ActivityForm(
        request.POST or None, kind=activity.kind, trainee=activity.trainee, instance=activity
    )

    def save(data):
        goals = data.pop("goals", None)
        services.activity_update(actor=request.user, activity=activity, goals=goals, **data)

    done = _save(request, form, save, _("Aktiviteten er endret."), pk)
    return done or _form_page(
        request,
        activity.trainee,
        form,
        _("Endre %(kind)s") % {"kind": str(activity.get_kind_display()).lower()},
    )


@require_POST
@require("progress.record")
def activity_delete(request, pk: int, activity_pk: int):
    activity = _activity(request, pk, activity_pk)
    services.activity_delete(actor=request.user, activity=activity)
    messages.success(request, _("Aktiviteten er slettet."))
    return redirect("progress:trainee", pk)


def _goal(goal_pk: int) -> LearningGoal:
    goal = LearningGoal.objects.filter(pk=goal_pk).first()
    if goal is None:
        raise Http404
    return goal


@require("progress.record")
def goal_mark(request, pk: int, goal_pk: int):
    trainee = queries.trainee_in_scope(request.user, "progress.record", pk)
    goal = _goal(goal_pk)
    current = trainee.goal_approvals.filter(goal=goal).first()
    if (
        current
        and current.status == GoalStatus.APPROVED
        and not can(request.user, "progress.approve", trainee)
    ):
        raise Http404  # an approved goal is changed only by those who approve
    initial = {
        "status": current.status if current else GoalStatus.IN_PROGRESS,
        "comment": current.comment if current else "",
    }
    form = GoalMarkForm(request.POST or None, initial=initial)
    done = _save(
        request,
        form,
        lambda data: services.goal_set(actor=request.user, trainee=trainee, goal=goal, **data),
        _("Statusen for %(code)s er lagret.") % {"code": goal.code},
        pk,
    )
    return done or render(
        request,
        "progress/goal_form.html",
        {
            "trainee": trainee,
            "form": form,
            "goal": goal,
            "approval": current,
            "title": _("Status for læringsmål %(code)s") % {"code": goal.code},
        },
    )


@require("progress.approve")
def goal_approve(request, pk: int, goal_pk: int):
    trainee = queries.trainee_in_scope(request.user, "progress.approve", pk)
    goal = _goal(goal_pk)
    current = trainee.goal_approvals.filter(goal=goal).first()
    form = GoalApproveForm(request.POST or None, trainee=trainee)
    done = _save(
        request,
        form,
        lambda data: services.goal_set(
            actor=request.user, trainee=trainee, goal=goal, status=GoalStatus.APPROVED, **data
        ),
        _("Læringsmål %(code)s er godkjent.") % {"code": goal.code},
        pk,
    )
    valid_today = services.goal_version(goal.code, timezone.localdate())
    return done or render(
        request,
        "progress/goal_form.html",
        {
            "trainee": trainee,
            "form": form,
            "goal": goal,
            "approval": current,
            "newer": valid_today if valid_today is None or valid_today.pk != goal.pk else None,
            "stale": valid_today is None or valid_today.pk != goal.pk,
            "title": _("Godkjenn læringsmål %(code)s") % {"code": goal.code},
        },
    )


@require("progress.approve")
def service_add(request, pk: int):
    trainee = queries.trainee_in_scope(request.user, "progress.approve", pk)
    form = ServicePeriodForm(
        request.POST or None, trainee=trainee, instance=ServicePeriod(trainee=trainee)
    )
    done = _save(
        request,
        form,
        lambda data: services.service_create(actor=request.user, trainee=trainee, **data),
        _("Tjenesteperioden er registrert."),
        pk,
    )
    return done or _form_page(request, trainee, form, _("Registrer tjenesteperiode"))


@require("progress.approve")
def service_edit(request, pk: int, period_pk: int):
    period = get_in_scope(
        request.user,
        "progress.approve",
        ServicePeriod.objects.filter(trainee_id=pk).select_related("trainee"),
        pk=period_pk,
    )
    form = ServicePeriodForm(request.POST or None, trainee=period.trainee, instance=period)
    done = _save(
        request,
        form,
        lambda data: services.service_update(actor=request.user, period=period, **data),
        _("Tjenesteperioden er endret."),
        pk,
    )
    return done or _form_page(request, period.trainee, form, _("Endre tjenesteperiode"))


# --- import by upload (docs/progress-import.md) -------------------------------------------------


@require("progress.import")
def import_upload(request):
    """Upload → dry run: the report lists every bad row by line; a clean file can be confirmed."""
    bound = request.method == "POST"
    form = ImportUploadForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        data = file.read()
        report = upload.check(request.user, data, file.name)
        token = None
        if report.ok:
            old = request.session.get(upload.SESSION_KEY)
            if old:
                upload.discard(request.user, old.get("token", ""))
            token = upload.stash(request.user, data)
            request.session[upload.SESSION_KEY] = {"token": token, "name": file.name}
        return render(
            request,
            "progress/import_report.html",
            {"report": report, "token": token, "checked": True},
        )
    return render(request, "progress/import.html", {"form": form})


@require_POST
@require("progress.import")
def import_confirm(request):
    """Import the checked file: all rows or none (checked again, inside one transaction)."""
    pending = request.session.get(upload.SESSION_KEY) or {}
    token = request.POST.get("token", "")
    data = upload.load(request.user, token) if token and pending.get("token") == token else None
    if data is None:
        messages.error(
            request, _("Fant ingen kontrollert fil å importere. Last opp filen på nytt.")
        )
        return redirect("progress:import")
    report = upload.check(request.user, data, pending.get("name", ""), dry_run=False)
    upload.discard(request.user, token)
    request.session.pop(upload.SESSION_KEY, None)
    if not report.ok:
        # Something changed since the check (e.g. a trainee left the scope): nothing imported.
        return render(
            request,
            "progress/import_report.html",
            {"report": report, "token": None, "checked": False},
        )
    messages.success(request, report.summary())
    return redirect("progress:import")
