"""Mark cached progress summaries stale when an input changes outside the progress services.

The progress services, the employment/leave services and plan approval recompute the summary
themselves. Everything else that feeds the engine — an employment or leave changed in the
admin or by an import, a plan revision approved or superseded, a new learning-goal version —
only sets `ProgressSummary.stale` here (one UPDATE), and the nightly
`lisplan refresh_progress --stale-only` (or the `refresh_stale_summaries` task) recomputes
those rows. Bulk writes (`bulk_create`, `update`) send no signals; the nightly run still
catches them because every row computed before today is recomputed too.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.signals import post_delete, post_save


def mark_stale(trainee_ids) -> int:
    from lisplan.progress.models import ProgressSummary

    return ProgressSummary.objects.filter(trainee_id__in=trainee_ids, stale=False).update(
        stale=True
    )


def _trainee_row(sender, instance, **kwargs) -> None:
    if instance.trainee_id:
        mark_stale([instance.trainee_id])


def _revision(sender, instance, **kwargs) -> None:
    from lisplan.plans.models import Status

    if instance.status in (Status.APPROVED, Status.SUPERSEDED):
        mark_stale([instance.plan.trainee_id])


def _goal_version(sender, instance, created=False, **kwargs) -> None:
    """A new or changed goal version changes what every trainee of the specialty needs."""
    from lisplan.trainees.models import Employment

    if instance.common:
        cond = Q()
    elif instance.specialty_id:
        cond = Q(specialty_id=instance.specialty_id)
    else:
        group = instance.code.split("-", 1)[0]
        cond = Q(specialty__part2_group=group)
    trainees = Employment.objects.filter(cond).values("trainee_id")
    mark_stale(trainees)


def connect() -> None:
    from lisplan.catalogue.models import LearningGoal
    from lisplan.plans.models import Revision
    from lisplan.trainees.models import Employment, LeavePeriod

    for model in (Employment, LeavePeriod):
        post_save.connect(
            _trainee_row, sender=model, dispatch_uid=f"progress-stale-{model.__name__}"
        )
        post_delete.connect(
            _trainee_row, sender=model, dispatch_uid=f"progress-stale-del-{model.__name__}"
        )
    post_save.connect(_revision, sender=Revision, dispatch_uid="progress-stale-revision")
    post_save.connect(_goal_version, sender=LearningGoal, dispatch_uid="progress-stale-goal")
