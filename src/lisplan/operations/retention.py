"""The retention registry: every model that holds personal data, how long its rows are kept and
why — and `purge()`, which deletes what has outlived its time (nightly: `lisplan purge` or the
`purge_personal_data` task).

A model is personal when it is the user or the trainee, points at one of them, or belongs to a
row that does (`parent`). `tests/operations/test_retention.py` fails for any model with a
relation to a user or a trainee that is not listed here, so a new model gets a rule when it is
made. Rows whose time is «as long as the parent» go when the parent goes (cascade); trainees,
plans and their history are kept as long as the training record is needed (assumption below),
and deleting a person is an administrator's decision, not a timer's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    label: str  # "app.Model"
    what: str  # the personal data, in words
    keep: str  # how long, in words (shown in the privacy notice and docs)
    expired: Callable[[dt.datetime], Q] | None = None  # rows past their time; None: no timer


def _older(field: str, days: int) -> Callable[[dt.datetime], Q]:
    return lambda now: Q(**{f"{field}__lt": now - days * DAY})


TRAINING_RECORD = (
    "as long as the trainee's training record is kept (the specialist "
    "approval may need it years later); deleted with the trainee by an "
    "administrator"
)

RULES: list[Rule] = [
    # Accounts and sign-in
    Rule(
        "accounts.User",
        "name, user name, e-mail, HPR number",
        "while the person uses lisplan; an administrator deactivates and later deletes the account",
    ),
    Rule("accounts.RoleAssignment", "roles and scopes of a user", "with the user"),
    Rule("accounts.ExternalIdentity", "HelseID/Entra ID subject of a user", "with the user"),
    Rule(
        "accounts.ApiToken",
        "a user's API keys (hash only)",
        "90 days after expiry",
        _older("expires_at", 90),
    ),
    Rule(
        "accounts.LoginSession",
        "which sessions a user holds",
        "until the session ends (11 h)",
        lambda now: Q(created_at__lt=now - dt.timedelta(hours=11)),
    ),
    Rule(
        "sessions.Session",
        "the signed-in session",
        "until it expires",
        lambda now: Q(expire_date__lt=now),
    ),
    Rule("otp_totp.TOTPDevice", "a break-glass account's one-time-code key", "with the user"),
    Rule(
        "axes.AccessAttempt",
        "failed sign-ins: user name, address, browser",
        "30 days",
        _older("attempt_time", 30),
    ),
    Rule("axes.AccessAttemptExpiration", "when a lockout ends", "with its attempt"),
    Rule(
        "axes.AccessLog",
        "sign-ins: user name, address, browser",
        "30 days",
        _older("attempt_time", 30),
    ),
    Rule("axes.AccessFailureLog", "failed sign-ins", "30 days", _older("attempt_time", 30)),
    Rule(
        "admin.LogEntry",
        "administrator's changes in the admin",
        "2 years",
        _older("action_time", 730),
    ),
    # Logs of what happened
    Rule(
        "audit.AuditEvent",
        "who changed what in plans, signatures, approvals",
        "kept (append-only history of signed documents); the actor link is removed when a "
        "user is deleted",
    ),
    Rule(
        "audit.ReadAccess",
        "who read whose personal data",
        "5 years (assumption: the health-sector norm's «long enough to investigate misuse»)",
        _older("at", 5 * 365),
    ),
    Rule(
        "notifications.Notification",
        "messages to a user",
        "1 year after they were made",
        _older("created_at", 365),
    ),
    Rule("notifications.CalendarFeed", "a user's calendar-feed key", "with the user"),
    Rule(
        "django_tasks_database.DBTaskResult",
        "background tasks (arguments may name people)",
        "90 days after they finished",
        lambda now: Q(finished_at__lt=now - 90 * DAY),
    ),
    Rule("operations.WorkerHeartbeat", "none (host and process id)", "1 day", _older("seen_at", 1)),
    # The training record
    Rule("trainees.Trainee", "name, HPR number, birth date, contact details", TRAINING_RECORD),
    Rule("trainees.Employment", "positions and percentages", TRAINING_RECORD),
    Rule("trainees.LeavePeriod", "leave (may reveal health or family matters)", TRAINING_RECORD),
    Rule("trainees.Supervision", "who supervises whom", TRAINING_RECORD),
    Rule("plans.ImplementationPlan", "the trainee's implementation plan", TRAINING_RECORD),
    Rule("plans.Revision", "plan revisions and who made them", TRAINING_RECORD),
    Rule("plans.Period", "planned periods (with the plan)", TRAINING_RECORD),
    Rule("plans.Signature", "who signed a plan, when", TRAINING_RECORD),
    Rule("iup.EducationPlan", "the trainee's education plan (IUP)", TRAINING_RECORD),
    Rule("iup.Revision", "IUP revisions", TRAINING_RECORD),
    Rule("iup.SupervisorRow", "supervisors named in an IUP", TRAINING_RECORD),
    Rule("iup.Meeting", "supervision meetings and assessments", TRAINING_RECORD),
    Rule("iup.CoursePeriod", "courses in an IUP", TRAINING_RECORD),
    Rule("iup.Signature", "who signed an IUP, when", TRAINING_RECORD),
    Rule("iup.DeadlineSummary", "the trainee's IUP deadlines (computed)", TRAINING_RECORD),
    Rule(
        "insights.TraineeFacts",
        "what the indicators count for the trainee today (computed)",
        TRAINING_RECORD,
    ),
    Rule(
        "confirmations.ServiceConfirmation",
        "the trainee's service confirmations (per employment)",
        TRAINING_RECORD,
    ),
    Rule(
        "confirmations.ConfirmationVersion",
        "versions of a service confirmation: the service, leave and who requested and issued",
        TRAINING_RECORD,
    ),
    Rule(
        "confirmations.ConfirmationSignature",
        "who signed a service confirmation, when",
        TRAINING_RECORD,
    ),
    Rule(
        "iup.RequirementsTemplate",
        "who last edited a template",
        "kept (not about a person beyond the editor's name)",
    ),
    Rule("progress.GoalApproval", "approved learning goals", TRAINING_RECORD),
    Rule("progress.ActivityRecord", "learning activities", TRAINING_RECORD),
    Rule("progress.ServicePeriod", "service time", TRAINING_RECORD),
    Rule("progress.ProgressSummary", "computed progress", TRAINING_RECORD),
    Rule("rotations.RegisterEntry", "the trainee's place in the register", TRAINING_RECORD),
    Rule(
        "rotations.RotationRequest", "wishes and offers of specialisation periods", TRAINING_RECORD
    ),
    Rule("rotations.Vacancy", "who opened a vacancy", "kept (the coordinator's name only)"),
    Rule(
        "organisations.LearningArena",
        "the arena's leader",
        "kept (a role, not a record about the person)",
    ),
    Rule(
        "allocation.AllocationRun",
        "who started a run; the run's input names trainees",
        "kept with the region's planning history",
    ),
    Rule("allocation.Proposal", "proposed starts for trainees", TRAINING_RECORD),
    Rule("allocation.AllocationPolicy", "who last changed the policy", "kept"),
    Rule("programmes.ProgrammePlan", "who made and published a programme plan", "kept"),
    Rule("insights.Harvest", "who started a harvest", "kept"),
    Rule(
        "dimensioning.Dataset",
        "who loaded a statistics table",
        "kept (the editor's name only; the tables are aggregate statistics)",
    ),
    Rule("dimensioning.Scenario", "who made a scenario", "kept"),
    Rule("dimensioning.ScenarioVersion", "who saved a scenario version", "kept"),
    Rule("dimensioning.DimensioningRun", "who started a projection run", "kept"),
    Rule(
        "insights.HarvestRow",
        "frozen indicator rows (may name trainees)",
        "kept with the harvest, as the reported figures' evidence",
    ),
]

REGISTRY = {rule.label: rule for rule in RULES}


def personal_models() -> list[str]:
    """Labels of models that are the user or the trainee or point straight at one."""
    people = {"accounts.User", "trainees.Trainee"}
    found = []
    for model in apps.get_models():
        label = model._meta.label
        related = {
            f.related_model._meta.label
            for f in model._meta.get_fields()
            if f.concrete and getattr(f, "related_model", None) is not None
        }
        if label in people or related & people:
            found.append(label)
    return found


def _queryset(rule: Rule, now: dt.datetime) -> QuerySet | None:
    if rule.expired is None:
        return None
    try:
        model = apps.get_model(rule.label)
    except LookupError:  # an optional app is not installed
        return None
    return model._default_manager.filter(rule.expired(now))


def purge(now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete the rows that have outlived their time; returns the number per model."""
    now = now or timezone.now()
    counts = {}
    for rule in RULES:
        qs = _queryset(rule, now)
        if qs is None:
            continue
        if dry_run:
            counts[rule.label] = qs.count()
        else:
            deleted, _per_model = qs.delete()
            counts[rule.label] = deleted
    return counts
