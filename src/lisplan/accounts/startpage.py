"""The start page («Mine oppgaver»): one section per active role assignment of the user.

Each section is built with a constant number of queries, through the access policy's scoped
querysets, so the page stays fast whatever the size of the region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.access import has_permission, roles_summary, scope_filter
from lisplan.accounts.models import Role, RoleAssignment
from lisplan.accounts.overview import trainee_overview
from lisplan.trainees.models import Employment, Supervision, Trainee


@dataclass(frozen=True)
class Link:
    """A way into the role's work from its start-page card, with a count where one is cheap."""

    label: str
    url: str
    count: int | None = None


# The links of each role's card: (label, url name, permission). Only those the user holds.
ROLE_LINKS: dict[str, list[tuple[Any, str, str]]] = {
    Role.TRAINEE: [
        (_("Abonner i kalenderen (Outlook)"), "notifications:calendar", "notification.view")
    ],
    Role.SUPERVISOR: [
        (_("Progresjon for legene dine"), "progress:overview", "progress.view"),
        (_("Abonner i kalenderen (Outlook)"), "notifications:calendar", "notification.view"),
    ],
    Role.LEADER: [
        (_("Ledige gjennomstrømningsstillinger"), "rotations:vacancies", "vacancy.view"),
        (_("Progresjon og læringsmål til godkjenning"), "progress:overview", "progress.view"),
        (_("Abonner i kalenderen (Outlook)"), "notifications:calendar", "notification.view"),
    ],
    Role.EDUCATION_LEAD: [
        (_("Maler for tabell 3 (formelle krav)"), "iup:templates", "iup.template"),
        (_("Arbeidsliste for utdanningsplaner"), "iup:work_list", "iup.report"),
    ],
    Role.EDUCATION_COORDINATOR_PHYSICIAN: [
        (_("Arbeidsliste for utdanningsplaner"), "iup:work_list", "iup.report"),
        (_("Kompletthetsrapport for utdanningsplaner"), "iup:report", "iup.report"),
        (_("Progresjon"), "progress:overview", "progress.view"),
    ],
    Role.LOCAL_COORDINATOR: [
        (_("Ønsker om spesialiseringsperioder"), "rotations:requests", "register.view"),
        (_("Arbeidsliste for utdanningsplaner"), "iup:work_list", "iup.report"),
        (_("Arbeidsliste for gjennomføringsplaner"), "plans:work_list", "plan.approve"),
        (
            _("Bekreftelser på tjeneste til utstedelse"),
            "confirmations:work_list",
            "confirmation.issue",
        ),
    ],
    Role.REGIONAL_COORDINATOR: [
        (_("Køer til fordeling"), "rotations:queues", "register.view"),
        (_("Konflikter mellom ønsker"), "rotations:conflicts", "register.view"),
        (_("Fordeling"), "allocation:runs", "allocation.view"),
        (_("Dimensjonering av utdanningsstillinger"), "dimensioning:index", "dimensioning.view"),
    ],
    Role.PLANNER: [
        (_("Fordeling og prognoser"), "allocation:runs", "allocation.view"),
        (_("Progresjon i regionen"), "progress:overview", "progress.view"),
        (_("Dimensjonering av utdanningsstillinger"), "dimensioning:index", "dimensioning.view"),
    ],
}


def _links(user, role: str) -> list[Link]:
    return [
        Link(str(label), reverse(name))
        for label, name, permission in ROLE_LINKS.get(role, ())
        if has_permission(user, permission)
    ]


@dataclass
class Section:
    role: str
    title: str
    template: str
    links: list[Link] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    wide: bool = False  # a table that needs the page's width


def _visible_employments(user):
    return scope_filter(user, "trainee.view", Employment.objects.not_ended())


def _counts(employments) -> dict[str, int]:
    return employments.aggregate(
        total=Count("trainee", distinct=True),
        fixed=Count("trainee", distinct=True, filter=Q(permanent=True)),
        temporary=Count("trainee", distinct=True, filter=Q(permanent=False)),
    )


def _active_supervisions():
    today = timezone.localdate()
    return Supervision.objects.filter(Q(end__isnull=True) | Q(end__gte=today))


def _trainee(user, a: RoleAssignment) -> dict:
    own = Trainee.objects.filter(user=user).select_related("progress_summary").first()
    if own is None:
        return {"own": None, "supervisors": []}
    from lisplan.iup import pages as iup_pages
    from lisplan.iup import queries as iup_queries
    from lisplan.iup.models import Status as IupStatus

    supervisors = list(_active_supervisions().filter(trainee=own).select_related("supervisor"))
    iup = iup_queries.own_deadline(user, timezone.localdate())
    return {
        "own": own,
        "supervisors": supervisors,
        # the education plan: the deadline state and date, the open revision if any
        "iup": iup,
        "iup_state": iup_pages.state_label(iup.state),
        "iup_colour": iup_pages.STATE_COLOURS.get(iup.state, "neutral"),
        "iup_open_label": (
            str(IupStatus(iup.open_status).label).lower()
            if iup.open_status in IupStatus.values
            else ""
        ),
        "progress": getattr(own, "progress_summary", None),  # None: not computed yet
        **trainee_overview(user, own),
    }


def _supervisor(user, a: RoleAssignment) -> dict:
    rows = scope_filter(user, "trainee.view", _active_supervisions().filter(supervisor=user))
    return {
        "supervisions": list(
            rows.select_related("trainee").order_by("trainee__last_name", "trainee__first_name")
        ),
        **_to_sign(user),
    }


def _to_sign(user) -> dict:
    """How many plans of each kind wait for the user's signature (for «Til signering»)."""
    from lisplan.iup import queries as iup_queries
    from lisplan.plans import pages as plan_pages

    plans = plan_pages.to_sign_count(user) if has_permission(user, "plan.sign") else None
    iups = iup_queries.to_sign_count(user) if has_permission(user, "iup.sign") else None
    return {"to_sign_plans": plans, "to_sign_iups": iups}


def _leader(user, a: RoleAssignment) -> dict:
    in_arena = Employment.objects.not_ended().filter(
        arena__path__startswith=a.arena.path, trainee=OuterRef("pk")
    )
    trainees = scope_filter(user, "trainee.view", Trainee.objects.filter(Exists(in_arena)))
    return {"count": trainees.count(), **_to_sign(user)}


def _institution(user, a: RoleAssignment) -> dict:
    rows = _visible_employments(user).filter(institution=a.institution)
    if a.specialty_id:
        rows = rows.filter(specialty=a.specialty)
    return {"counts": _counts(rows)}


def _region(user, a: RoleAssignment) -> dict:
    rows = (
        _visible_employments(user)
        .filter(institution__region=a.region)
        .values("institution_id", "institution__name")
        .annotate(
            total=Count("trainee", distinct=True),
            fixed=Count("trainee", distinct=True, filter=Q(permanent=True)),
            temporary=Count("trainee", distinct=True, filter=Q(permanent=False)),
        )
        .order_by("institution__name")
    )
    return {"institutions": list(rows)}


def _admin(user, a: RoleAssignment) -> dict:
    return {}


def _title(a: RoleAssignment) -> str:
    if a.role == Role.TRAINEE:
        return str(_("Min oversikt"))
    if a.role == Role.SUPERVISOR:
        return str(_("Mine veiledningsleger"))
    if a.role == Role.LEADER:
        return str(_("Leger i min læringsarena – %(arena)s")) % {"arena": a.arena}
    if a.role == Role.EDUCATION_LEAD and a.specialty_id:
        return str(_("Leger i %(specialty)s ved %(institution)s")) % {
            "specialty": a.specialty,
            "institution": a.institution,
        }
    if a.role == Role.ADMIN:
        return str(_("Administrasjon"))
    if a.scope is not None:
        return str(_("Leger ved %(scope)s")) % {"scope": a.scope}
    return str(a.get_role_display())


BUILDERS = {
    Role.TRAINEE: _trainee,
    Role.SUPERVISOR: _supervisor,
    Role.LEADER: _leader,
    Role.EDUCATION_LEAD: _institution,
    Role.EDUCATION_COORDINATOR_PHYSICIAN: _institution,
    Role.LOCAL_COORDINATOR: _institution,
    Role.REGIONAL_COORDINATOR: _region,
    Role.PLANNER: _region,
    Role.ADMIN: _admin,
}
TEMPLATES = {
    Role.TRAINEE: "trainee",
    Role.SUPERVISOR: "supervisor",
    Role.LEADER: "leader",
    Role.EDUCATION_LEAD: "institution",
    Role.EDUCATION_COORDINATOR_PHYSICIAN: "institution",
    Role.LOCAL_COORDINATOR: "institution",
    Role.REGIONAL_COORDINATOR: "region",
    Role.PLANNER: "region",
    Role.ADMIN: "admin",
}


def start_sections(user) -> list[Section]:
    """One section per active role assignment, in the order of the roles' importance."""
    order = {role: i for i, role in enumerate(Role.values)}
    assignments = sorted(roles_summary(user), key=lambda a: order.get(a.role, 99))
    return [
        Section(
            role=a.role,
            title=_title(a),
            template=f"accounts/sections/{TEMPLATES[a.role]}.html",
            links=_links(user, a.role),
            data={"assignment": a, **BUILDERS[a.role](user, a)},
            wide=TEMPLATES[a.role] in ("region", "trainee"),
        )
        for a in assignments
        if a.role in BUILDERS
    ]
