"""The start page («Mine oppgaver»): one section per active role assignment of the user.

Each section is built with a constant number of queries, through the access policy's scoped
querysets, so the page stays fast whatever the size of the region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.access import roles_summary, scope_filter
from lisplan.accounts.models import Role, RoleAssignment
from lisplan.trainees.models import Employment, Supervision, Trainee

# What later features will put in each role's task list, shown until they exist.
COMING = {
    Role.TRAINEE: _("Her kommer utdanningsplanen din (IUP) og progresjonen mot kravene."),
    Role.SUPERVISOR: _("Her kommer utdanningsplaner (IUP) som venter på din signatur, "
                       "og veiledningssamtaler som skal holdes."),
    Role.LEADER: _("Her kommer ledige gjennomstrømningsstillinger der du skal velge kandidat, "
                   "og læringsmål som venter på godkjenning."),
    Role.EDUCATION_LEAD: _("Her kommer utdanningsplaner (IUP) i spesialiteten din der tabell 3 "
                           "skal fylles ut."),
    Role.EDUCATION_COORDINATOR_PHYSICIAN: _("Her kommer oversikten over spesialistutdanningen "
                                            "ved virksomheten."),
    Role.LOCAL_COORDINATOR: _("Her kommer ønsker om spesialiseringsperioder som skal "
                              "videresendes til samarbeidsforetak."),
    Role.REGIONAL_COORDINATOR: _("Her kommer ønsker om spesialiseringsperioder mellom "
                                 "helseforetakene, og konflikter som må løses."),
    Role.PLANNER: _("Her kommer indikatorer og dimensjonering av utdanningsstillinger for "
                    "regionen."),
}


@dataclass
class Section:
    role: str
    title: str
    template: str
    coming: str = ""
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
    own = Trainee.objects.filter(user=user).first()
    supervisors = []
    if own is not None:
        supervisors = list(
            _active_supervisions().filter(trainee=own).select_related("supervisor")
        )
    return {"own": own, "supervisors": supervisors}


def _supervisor(user, a: RoleAssignment) -> dict:
    rows = scope_filter(user, "trainee.view", _active_supervisions().filter(supervisor=user))
    return {"supervisions": list(rows.select_related("trainee").order_by(
        "trainee__last_name", "trainee__first_name"))}


def _leader(user, a: RoleAssignment) -> dict:
    in_arena = Employment.objects.not_ended().filter(
        arena__path__startswith=a.arena.path, trainee=OuterRef("pk"))
    trainees = scope_filter(user, "trainee.view", Trainee.objects.filter(Exists(in_arena)))
    return {"count": trainees.count()}


def _institution(user, a: RoleAssignment) -> dict:
    rows = _visible_employments(user).filter(institution=a.institution)
    if a.specialty_id:
        rows = rows.filter(specialty=a.specialty)
    return {"counts": _counts(rows)}


def _region(user, a: RoleAssignment) -> dict:
    rows = (
        _visible_employments(user).filter(institution__region=a.region)
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
        return str(_("Min plan"))
    if a.role == Role.SUPERVISOR:
        return str(_("Mine veiledningsleger"))
    if a.role == Role.LEADER:
        return str(_("Leger i min læringsarena – %(arena)s")) % {"arena": a.arena}
    if a.role == Role.EDUCATION_LEAD and a.specialty_id:
        return str(_("Leger i %(specialty)s ved %(institution)s")) % {
            "specialty": a.specialty, "institution": a.institution}
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
    Role.TRAINEE: "trainee", Role.SUPERVISOR: "supervisor", Role.LEADER: "leader",
    Role.EDUCATION_LEAD: "institution", Role.EDUCATION_COORDINATOR_PHYSICIAN: "institution",
    Role.LOCAL_COORDINATOR: "institution", Role.REGIONAL_COORDINATOR: "region",
    Role.PLANNER: "region", Role.ADMIN: "admin",
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
            coming=COMING.get(a.role, ""),
            data={"assignment": a, **BUILDERS[a.role](user, a)},
            wide=TEMPLATES[a.role] == "region",
        )
        for a in assignments
        if a.role in BUILDERS
    ]
