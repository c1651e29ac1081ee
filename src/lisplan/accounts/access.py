"""The one access policy: named permissions, roles → permissions, and scope resolution.

Nothing else in lisplan checks roles. Views and API operations declare a permission
(`require`), fetch rows through `scope_filter` / `get_in_scope`, and so see only what the
user's role assignments (with their arena, institution or region) and relationships
(own trainee record, supervisees) allow. Deny by default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.models import Role, RoleAssignment

PERMISSIONS: dict[str, str] = {
    "trainee.view": _("Se leger i spesialisering, ansettelser, permisjoner og veiledere"),
    "trainee.change": _("Registrere og endre leger, ansettelser og permisjoner"),
    "supervision.change": _("Registrere og endre veilederrelasjoner"),
    "audit.view": _("Se endringshistorikk"),
    "role.assign": _("Tildele roller"),
    "organisation.view": _("Se regioner, utdanningsvirksomheter og læringsarenaer"),
    "catalogue.view": _("Se spesialiteter og læringsmål"),
    "catalogue.import": _("Importere læringsmål"),
    "token.manage": _("Administrere egne API-nøkler"),
    "privacy.export": _(
        "Hente ut alt som er lagret om en person (innsyn, personvernforordningen art. 15)"
    ),
    "plan.view": _("Se individuelle gjennomføringsplaner"),
    "plan.edit": _("Opprette og fylle ut gjennomføringsplaner"),
    "plan.sign": _("Signere gjennomføringsplaner"),
    "plan.approve": _("Godkjenne eller returnere gjennomføringsplaner"),
    "notification.view": _("Se egne varsler"),
    "notification.preview": _("Se alle typer varsel-e-post med eksempler"),
    "agreement.view": _("Se fagavtaler og kapasitetsbruk"),
    "agreement.change": _("Registrere og endre fagavtaler"),
    "register.view": _("Se fiktiv enhet: registreringer og ønsker om spesialiseringsperioder"),
    "register.change": _("Registrere behov og ønsker i fiktiv enhet (avgivende foretak)"),
    "register.forward": _("Sende ønsker til mottakende foretak"),
    "register.offer": _("Tilby gjennomstrømningsstilling og avtale oppstart (mottaker)"),
    "register.answer": _("Svare på tilbud om gjennomstrømningsstilling"),
    "vacancy.view": _("Se ledige gjennomstrømningsstillinger og kandidatlister"),
    "vacancy.change": _("Melde ledig gjennomstrømningsstilling og velge kandidat"),
    "progress.view": _("Se progresjon: læringsmål, læringsaktiviteter og tjenestetid"),
    "progress.record": _("Registrere læringsaktiviteter og markere læringsmål som påbegynt"),
    "progress.approve": _("Godkjenne læringsmål og registrere tjenesteperioder"),
    "progress.import": _("Importere læringsmål og læringsaktiviteter fra regneark"),
    "allocation.view": _("Se fordelingskjøringer, foreslåtte oppstarter og prognoser"),
    "allocation.run": _("Starte fordelingskjøringer for regionen"),
    "allocation.run_national": _("Starte fordelingskjøringer for hele landet"),
    "allocation.policy": _("Endre regionens innstillinger for fordeling (køvekt, standardverdier)"),
    "dimensioning.view": _("Se dimensjonering: framskrivinger, scenarioer og data"),
    "dimensioning.run": _("Starte dimensjoneringskjøringer"),
    "dimensioning.scenario": _("Opprette og endre scenarioer for dimensjonering"),
    "dimensioning.load": _("Laste inn data for dimensjonering (SSB, avgangsrater)"),
    "iup.view": _("Se individuelle utdanningsplaner (IUP)"),
    "iup.edit": _("Opprette og fylle ut individuelle utdanningsplaner"),
    "iup.sign": _("Signere individuelle utdanningsplaner"),
    "iup.template": _("Fylle ut mal for formelle krav (tabell 3) for spesialiteten"),
    "iup.report": _("Se arbeidsliste og kompletthetsrapport for utdanningsplaner"),
    "programme.view": _("Se virksomhetenes utdanningsplaner, dekningskart og mangler"),
    "programme.edit": _("Utarbeide utdanningsplan for virksomheten (utkast)"),
    "programme.publish": _("Publisere utdanningsplan for virksomheten"),
    "insights.view": _("Se kvalitetsindikatorer, listene bak dem og innhøstinger for enheten"),
    "insights.harvest": _("Starte innhøsting av kvalitetsindikatorer"),
    "confirmation.view": _("Se bekreftelser på tjeneste"),
    "confirmation.request": _("Bestille bekreftelse på tjeneste"),
    "confirmation.issue": _("Utstede bekreftelse på tjeneste (kontrollere tjenesten som er talt)"),
    "confirmation.sign": _("Signere bekreftelse på tjeneste som leder for enheten"),
    "user.manage": _("Administrere brukere: opprette, endre og deaktivere"),
    "organisation.change": _("Registrere og endre utdanningsvirksomheter og læringsarenaer"),
    "catalogue.change": _("Endre spesialiteter og læringsmål"),
}

_EVERYONE = {"organisation.view", "catalogue.view", "token.manage", "notification.view"}

# --- the one role table --------------------------------------------------------------------
# Which permissions each role holds, within the scope of its assignment: its arena, its
# institution (an education lead: the (institution, specialty) pair of the assignment) or its
# region. One block per app, each a literal {role: permissions}; a new app adds its block at
# the end (and its permissions to PERMISSIONS above). The administrator holds everything.
# The trainee and supervisor roles reach through relationships (RELATIONSHIP_TABLE), not here.
TRAINEE, SUPERVISOR, LEADER = Role.TRAINEE, Role.SUPERVISOR, Role.LEADER
UAO, UKL = Role.EDUCATION_LEAD, Role.EDUCATION_COORDINATOR_PHYSICIAN
LOCAL, REGIONAL, PLANNER = Role.LOCAL_COORDINATOR, Role.REGIONAL_COORDINATOR, Role.PLANNER

ROLE_TABLE: dict[str, dict[str, set[str]]] = {
    "core": {  # trainees, implementation plans, progress
        TRAINEE: _EVERYONE | {"trainee.view"},
        SUPERVISOR: _EVERYONE | {"trainee.view"},
        LEADER: _EVERYONE
        | {
            "trainee.view",
            "supervision.change",
            "plan.view",
            "plan.edit",
            "plan.sign",
            "progress.view",
            "progress.record",
            "progress.approve",
        },
        UAO: _EVERYONE | {"trainee.view", "plan.view", "progress.view"},
        UKL: _EVERYONE | {"trainee.view", "plan.view", "progress.view"},
        LOCAL: _EVERYONE
        | {
            "trainee.view",
            "trainee.change",
            "supervision.change",
            "audit.view",
            "plan.view",
            "plan.edit",
            "plan.approve",
            "progress.view",
            "progress.record",
            "progress.approve",
            "progress.import",
        },
        REGIONAL: _EVERYONE | {"trainee.view", "audit.view", "plan.view", "progress.view"},
        PLANNER: _EVERYONE | {"trainee.view", "progress.view"},
    },
    "rotations": {  # fagavtaler, fiktiv enhet, ledige stillinger
        LEADER: {"agreement.view", "register.view", "vacancy.view", "vacancy.change"},
        UAO: {"agreement.view", "register.view"},
        UKL: {"agreement.view", "register.view"},
        LOCAL: {
            "agreement.view",
            "agreement.change",
            "register.view",
            "register.change",
            "register.forward",
            "register.offer",
            "register.answer",
            "vacancy.view",
            "vacancy.change",
        },
        REGIONAL: {"agreement.view", "agreement.change", "register.view", "vacancy.view"},
        PLANNER: {"agreement.view", "register.view"},
    },
    # Education plans (IUP): the leader signs and edits for their arena; the UAO fills in the
    # table-3 template and follows plans in their specialty; coordinators follow.
    "iup": {
        LEADER: {"iup.view", "iup.edit", "iup.sign", "iup.report"},
        UAO: {"iup.view", "iup.edit", "iup.template", "iup.report"},
        UKL: {"iup.view", "iup.report"},
        LOCAL: {"iup.view", "iup.report"},
        REGIONAL: {"iup.view", "iup.report"},
    },
    # Allocation runs: the region runs plans, the receiving coordinator reads them to make
    # offers; national runs only for the planner (and the administrator).
    "allocation": {
        LOCAL: {"allocation.view"},
        REGIONAL: {"allocation.view", "allocation.run"},
        PLANNER: {
            "allocation.view",
            "allocation.run",
            "allocation.run_national",
            "allocation.policy",
        },
    },
    # Insights (quality indicators): the leader for their arena, coordinators and the UAO for
    # their institution (UAO: their specialty), the region for the regional roles; the
    # regional coordinator starts harvests. How a unit relates to a scope: insights/scopes.py.
    "insights": {
        LEADER: {"insights.view"},
        UAO: {"insights.view"},
        UKL: {"insights.view"},
        LOCAL: {"insights.view"},
        REGIONAL: {"insights.view", "insights.harvest"},
        PLANNER: {"insights.view"},
    },
    # Programme plans: the UAO drafts for their specialty, the local coordinator publishes;
    # everyone reads published plans and the coverage map.
    "programmes": {
        SUPERVISOR: {"programme.view"},
        LEADER: {"programme.view"},
        UAO: {"programme.view", "programme.edit"},
        UKL: {"programme.view"},
        LOCAL: {"programme.view", "programme.publish"},
        REGIONAL: {"programme.view"},
        PLANNER: {"programme.view"},
    },
    # Administration (users, roles, organisations, the catalogue): `user.manage`, `role.assign`,
    # `organisation.change`, `catalogue.change` and `catalogue.import` are in no block, so only
    # the administrator holds them (the domain: «system administrator — catalogue,
    # organisations, users»). A local coordinator assigns supervisors (`supervision.change`,
    # above) but gives no roles: a role reaches personal data, and who gets it stays with one
    # accountable office. The pages are in the `administration` app.
    # Dimensioning: the planner owns the model and its data; the regional coordinator reads it
    # and runs scenarios. Aggregate data, no person: not scoped (decision 0009; dimensioning
    # registers `everything` as the scope of its models).
    "dimensioning": {
        REGIONAL: {"dimensioning.view", "dimensioning.run"},
        PLANNER: {
            "dimensioning.view",
            "dimensioning.run",
            "dimensioning.scenario",
            "dimensioning.load",
        },
    },
    # Service confirmations («Bekreftelse på tjeneste»): the trainee requests (relationship
    # table), the local coordinator issues for the employer, the leader of the unit signs;
    # the education roles and the region read. How a confirmation falls in a scope (also after
    # the employment has ended): confirmations/scopes.py.
    "confirmations": {
        LEADER: {"confirmation.view", "confirmation.sign"},
        UAO: {"confirmation.view"},
        UKL: {"confirmation.view"},
        LOCAL: {"confirmation.view", "confirmation.request", "confirmation.issue"},
        REGIONAL: {"confirmation.view"},
    },
}

# Relationship grants, the same way: a trainee acts on their own record and plans ("self"), a
# supervisor on their supervisees ("supervisee"); "receiving" is the receiving institution's
# side of forwarded rotation requests (an institution scope on the request's `receiving`,
# applied to these permissions only in `rotation_request_scope`; never one of
# `Grants.relations`).
RELATIONSHIP_TABLE: dict[str, dict[str, set[str]]] = {
    "core": {
        "self": {
            "trainee.view",
            "plan.view",
            "plan.edit",
            "plan.sign",
            "progress.view",
            "progress.record",
        },
        "supervisee": {"trainee.view", "plan.view", "progress.view", "progress.record"},
    },
    "rotations": {
        "self": {"register.view", "register.answer", "agreement.view"},
        "supervisee": {"register.view"},
        "receiving": {"register.view", "register.offer"},
    },
    "iup": {
        "self": {"iup.view", "iup.edit", "iup.sign"},
        "supervisee": {"iup.view", "iup.edit", "iup.sign", "iup.report"},
    },
    "programmes": {
        "self": {"programme.view"},
        "supervisee": {"programme.view"},
    },
    "confirmations": {
        "self": {"confirmation.view", "confirmation.request"},
        "supervisee": {"confirmation.view"},
    },
}


def _union(table: dict[str, dict[str, set[str]]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for block in table.values():
        for key, permissions in block.items():
            out[key] = out.get(key, set()) | permissions
    return out


ROLE_PERMISSIONS: dict[str, set[str]] = {**_union(ROLE_TABLE), Role.ADMIN: set(PERMISSIONS)}
RELATIONSHIP_PERMISSIONS: dict[str, set[str]] = _union(RELATIONSHIP_TABLE)

# Roles whose reach is a relationship, not their organisation scope.
RELATIONAL_ROLES = {Role.TRAINEE: "self", Role.SUPERVISOR: "supervisee"}

# Reference data every signed-in user may read, whatever their roles.
UNSCOPED_PERMISSIONS = _EVERYONE


@dataclass(frozen=True)
class Grants:
    """What a user holds, resolved once per request."""

    all: frozenset[str]  # permissions held everywhere (administrator)
    arena_paths: dict[str, tuple[str, ...]]  # permission -> arena paths
    institutions: dict[str, tuple[tuple[int, int | None], ...]]  # -> (institution, specialty)
    regions: dict[str, tuple[int, ...]]
    relations: frozenset[str]  # "self", "supervisee" where the user has such rows

    def holds(self, permission: str) -> bool:
        return (
            permission in self.all
            or permission in UNSCOPED_PERMISSIONS
            or bool(self.arena_paths.get(permission))
            or bool(self.institutions.get(permission))
            or bool(self.regions.get(permission))
            or any(permission in RELATIONSHIP_PERMISSIONS[r] for r in self.relations)
        )


def once_per_request(user, name: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per request: the result is kept on the request's user object (a new
    one each request), for what the header, the start page's tasks and its cards all show."""
    attribute = f"_lisplan_{name}"
    if not hasattr(user, attribute):
        setattr(user, attribute, compute())
    return getattr(user, attribute)


def own_trainee_id(user) -> int | None:
    """The id of the user's own trainee record (one query per request)."""
    Trainee = _model("trainees.Trainee")
    return once_per_request(
        user,
        "own_trainee",
        lambda: Trainee.objects.filter(user=user).values_list("pk", flat=True).first(),
    )


def grants(user) -> Grants:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Grants(frozenset(), {}, {}, {}, frozenset())
    cached = getattr(user, "_lisplan_grants", None)
    if cached is not None:
        return cached
    everything: set[str] = set(PERMISSIONS) if user.is_superuser else set()
    arenas: dict[str, list[str]] = {}
    institutions: dict[str, list[tuple[int, int | None]]] = {}
    regions: dict[str, list[int]] = {}
    relations: set[str] = set()
    assignments = list(
        RoleAssignment.objects.active()
        .filter(user=user)
        .select_related("arena", "institution", "region", "specialty")
    )
    user._lisplan_assignments = assignments  # the start page and the menu read them too
    for a in assignments:
        perms = ROLE_PERMISSIONS.get(a.role, set())
        if a.role == Role.ADMIN:
            everything |= perms
        if a.role in RELATIONAL_ROLES:
            relations.add(RELATIONAL_ROLES[a.role])
            continue
        for p in perms:
            if a.arena_id:
                arenas.setdefault(p, []).append(a.arena.path)
            elif a.institution_id:
                specialty = a.specialty_id if a.role == Role.EDUCATION_LEAD else None
                institutions.setdefault(p, []).append((a.institution_id, specialty))
            elif a.region_id:
                regions.setdefault(p, []).append(a.region_id)
    if own_trainee_id(user) is not None:
        relations.add("self")
    if user.supervisions.exists():
        relations.add("supervisee")
    result = Grants(
        frozenset(everything),
        {p: tuple(v) for p, v in arenas.items()},
        {p: tuple(v) for p, v in institutions.items()},
        {p: tuple(v) for p, v in regions.items()},
        frozenset(relations),
    )
    user._lisplan_grants = result
    return result


def has_permission(user, permission: str) -> bool:
    """Whether the user holds the permission in at least one scope."""
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")
    return grants(user).holds(permission)


# --- scope resolution per model ---------------------------------------------------------


def _employment_in_scope(g: Grants, permission: str, trainee_ref: str) -> Q:
    Employment = _model("trainees.Employment")

    def employed(cond: Q) -> Q:
        rows = Employment.objects.not_ended().filter(cond, trainee=OuterRef(trainee_ref))
        return Q(Exists(rows))

    q = Q(pk__in=[])
    for path in g.arena_paths.get(permission, ()):
        q |= employed(Q(arena__path__startswith=path))
    inst_all = [i for i, s in g.institutions.get(permission, ()) if s is None]
    if inst_all:
        q |= employed(Q(institution_id__in=inst_all))
    for inst, spec in g.institutions.get(permission, ()):
        if spec is not None:
            q |= employed(Q(institution_id=inst, specialty_id=spec))
    if g.regions.get(permission):
        q |= employed(Q(institution__region_id__in=g.regions[permission]))
    return q


def _trainee_q(user, g: Grants, permission: str) -> Q:
    """Trainees in scope: by employment in the user's arenas/institutions/regions, or related."""
    Supervision = _model("trainees.Supervision")

    q = _employment_in_scope(g, permission, "pk")
    if "self" in g.relations and permission in RELATIONSHIP_PERMISSIONS["self"]:
        q |= Q(user=user)
    if "supervisee" in g.relations and permission in RELATIONSHIP_PERMISSIONS["supervisee"]:
        today = timezone.localdate()
        rows = Supervision.objects.filter(
            Q(end__isnull=True) | Q(end__gte=today), supervisor=user, trainee=OuterRef("pk")
        )
        q |= Q(Exists(rows))
    return q


# --- the scope registry ------------------------------------------------------------------
# How each model reaches a trainee, an institution or a region, declared by its app (in its
# AppConfig.ready, one `register_scope` line per model) with the builders below. `scope_filter`
# looks the model up here; a model with no entry is refused loudly (LookupError).

ScopeRule = Callable[[Any, Grants, str], Q]
SCOPES: dict[str, ScopeRule] = {}


def register_scope(*labels: str, rule: ScopeRule) -> None:
    """Declare how rows of the models `labels` ("app.Model", or "app.*" for every model of
    the app) fall in a user's scope."""
    for label in labels:
        if label in SCOPES and SCOPES[label] is not rule:
            raise ValueError(f"Scope rule for {label} declared twice")
        SCOPES[label] = rule


def _model(label: str) -> type[Model]:
    return django_apps.get_model(label)


def trainee_scope(user, g: Grants, permission: str) -> Q:
    """The rule of `trainees.Trainee` itself."""
    return _trainee_q(user, g, permission)


def via_trainee(field: str = "trainee_id") -> ScopeRule:
    """Rows of a trainee (`field` is the path to the trainee's id): in scope with the trainee."""

    def rule(user, g: Grants, permission: str) -> Q:
        visible = (
            _model("trainees.Trainee").objects.filter(_trainee_q(user, g, permission)).values("pk")
        )
        return Q(**{f"{field}__in": visible})

    return rule


def via_institution(field: str = "institution", specialty: str = "") -> ScopeRule:
    """Rows of an institution (`field`), and where `specialty` names the row's specialty, of
    the (institution, specialty) pair an education lead's assignment holds."""

    def rule(user, g: Grants, permission: str) -> Q:
        return _institution_in_scope(g, permission, field, specialty)

    return rule


def everything(user, g: Grants, permission: str) -> Q:
    """Rows with no person in them (aggregates): whoever holds the permission sees them all."""
    return Q()


def _scope_q(user, g: Grants, permission: str, model: type[Model]) -> Q:
    label = model._meta.label
    rule = SCOPES.get(label) or SCOPES.get(f"{model._meta.app_label}.*")
    if rule is None:
        raise LookupError(f"No scope rule for {label} with {permission}")
    return rule(user, g, permission)


def programme_plan_scope(user, g: Grants, permission: str) -> Q:
    return _programme_plan_q(g, permission)


def allocation_run_scope(user, g: Grants, permission: str) -> Q:
    return _allocation_run_q(g, permission)


def allocation_policy_scope(user, g: Grants, permission: str) -> Q:
    return Q(region_id__in=allocation_regions(g, permission))


def _programme_plan_q(g: Grants, permission: str) -> Q:
    """Programme plans: published versions (and those they replaced) are public, so anyone who
    reads plans sees them; drafts, changes and publishing by the plan's institution (an
    education lead only in their specialty) or region."""
    q = _institution_in_scope(g, permission, "institution", "specialty")
    if permission == "programme.view":
        q |= Q(status__in=["published", "superseded"])
    return q


def course_in_scope(user, permission: str, institution, specialty_id: int) -> bool:
    """Whether the user holds `permission` for (institution, specialty) — before any row of
    that course exists (a new programme plan). Same scopes as `_programme_plan_q`."""
    g = grants(user)
    if permission in g.all:
        return True
    for inst, spec in g.institutions.get(permission, ()):
        if inst == institution.pk and spec in (None, specialty_id):
            return True
    return institution.region_id in g.regions.get(permission, ())


def revision_scope(user, g: Grants, permission: str) -> Q:
    """Plan revisions: by the trainee's scope; approval only by the employer's coordinator;
    a partner institution's coordinator sees plans with a period at their institution."""
    Period = _model("plans.Period")
    Trainee = _model("trainees.Trainee")

    pairs = g.institutions.get(permission, ())
    if permission == "plan.approve":
        return Q(employer_id__in=[i for i, _s in pairs])
    visible = Trainee.objects.filter(_trainee_q(user, g, permission)).values("pk")
    q = Q(plan__trainee_id__in=visible)
    if permission == "plan.view" and pairs:
        # The partner rule keeps the (institution, specialty) pair of an education lead's
        # assignment: a period at their institution opens only plans in their specialty.
        whole = [i for i, s in pairs if s is None]
        if whole:
            partner = Period.objects.filter(revision=OuterRef("pk"), institution_id__in=whole)
            q |= Q(Exists(partner))
        for inst, spec in pairs:
            if spec is not None:
                partner = Period.objects.filter(revision=OuterRef("pk"), institution_id=inst)
                q |= Q(Exists(partner), specialty_id=spec)
    return q


# --- rotations: agreements, the register (fiktiv enhet), requests, vacancies --------------

# Permissions a request's sending side acts with (through the trainee's scope).
_SENDING_PERMISSIONS = {"register.view", "register.change", "register.forward", "register.answer"}


def _arena_q(paths, field: str = "path") -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def _institution_in_scope(g: Grants, permission: str, field: str, specialty: str = "") -> Q:
    """Rows whose institution `field` lies in the user's scopes for `permission`: their
    institutions (an education lead's only in their specialty, where `specialty` names the
    row's specialty field), the institutions of their arenas, their regions."""
    LearningArena = _model("organisations.LearningArena")

    q = Q(pk__in=[])
    pairs = g.institutions.get(permission, ())
    whole = [i for i, s in pairs if s is None or not specialty]
    if whole:
        q |= Q(**{f"{field}_id__in": whole})
    for inst, spec in pairs:
        if spec is not None and specialty:
            q |= Q(**{f"{field}_id": inst, f"{specialty}_id": spec})
    if g.arena_paths.get(permission):
        arenas = LearningArena.objects.filter(_arena_q(g.arena_paths[permission]))
        q |= Q(**{f"{field}_id__in": arenas.values("institution_id")})
    if g.regions.get(permission):
        q |= Q(**{f"{field}__region_id__in": g.regions[permission]})
    return q


def agreement_scope(user, g: Grants, permission: str) -> Q:
    """Collaboration agreements: either party's people see (and their coordinators change)
    the agreement; a trainee sees their employer's agreements."""
    q = _institution_in_scope(g, permission, "sending", "specialty")
    q |= _institution_in_scope(g, permission, "receiving", "specialty")
    if "self" in g.relations and permission in RELATIONSHIP_PERMISSIONS["self"]:
        employers = _model("trainees.Employment").objects.not_ended().filter(trainee__user=user)
        q |= Q(sending_id__in=employers.values("institution_id"))
    return q


def vacancy_scope(user, g: Grants, permission: str) -> Q:
    """Vacancies: coordinators and the region by institution; a leader in their own arenas."""
    no_arenas = Grants(g.all, {}, g.institutions, g.regions, g.relations)
    q = _institution_in_scope(no_arenas, permission, "institution", "specialty")
    return q | _arena_q(g.arena_paths.get(permission, ()), "arena__path")


def rotation_request_scope(user, g: Grants, permission: str) -> Q:
    """Requests: the sending side through the trainee's scope (own trainees, own record,
    supervisees); the receiving side on requests forwarded to them — coordinators and the
    region by institution, a leader for their arenas (or, without an arena, their arenas'
    specialties)."""
    LearningArena = _model("organisations.LearningArena")
    Trainee = _model("trainees.Trainee")

    q = Q(pk__in=[])
    if permission in _SENDING_PERMISSIONS:
        visible = Trainee.objects.filter(_trainee_q(user, g, permission)).values("pk")
        q |= Q(trainee_id__in=visible)
    if permission in RELATIONSHIP_PERMISSIONS["receiving"]:
        receiving = Q(pk__in=[])
        pairs = g.institutions.get(permission, ())
        if pairs:
            inst_only = Grants(g.all, {}, g.institutions, {}, g.relations)
            receiving |= _institution_in_scope(inst_only, permission, "receiving", "specialty")
        if g.regions.get(permission):
            receiving |= Q(receiving__region_id__in=g.regions[permission])
        for path in g.arena_paths.get(permission, ()):
            under = LearningArena.objects.filter(path__startswith=path)
            receiving |= Q(arena__path__startswith=path) | Q(
                arena__isnull=True,
                receiving_id__in=under.values("institution_id"),
                specialty_id__in=under.exclude(specialty=None).values("specialty_id"),
            )
        q |= receiving & Q(forwarded_on__isnull=False)
    return q


def allocation_regions(g: Grants, permission: str) -> set[int]:
    """Regions where the user holds an allocation permission: their regions, and the regions
    of their institutions."""
    Institution = _model("organisations.Institution")

    regions = set(g.regions.get(permission, ()))
    institutions = [i for i, _s in g.institutions.get(permission, ())]
    if institutions:
        regions |= set(
            Institution.objects.filter(pk__in=institutions)
            .exclude(region=None)
            .values_list("region_id", flat=True)
        )
    return regions


def can_run_allocation(user, region) -> bool:
    """National runs need `allocation.run_national`; a region's, `allocation.run` there."""
    if region is None:
        return has_permission(user, "allocation.run_national")
    g = grants(user)
    return "allocation.run" in g.all or region.pk in allocation_regions(g, "allocation.run")


def regions_with(user, permission: str) -> QuerySet:
    """The regions where the user holds an allocation permission."""
    Region = _model("organisations.Region")
    g = grants(user)
    if not g.holds(permission):
        return Region.objects.none()
    if permission in g.all:
        return Region.objects.all()
    return Region.objects.filter(pk__in=allocation_regions(g, permission))


def _allocation_run_q(g: Grants, permission: str) -> Q:
    """Runs for the user's regions, and national runs (they cover every region)."""
    return Q(region_id__in=allocation_regions(g, permission)) | Q(region__isnull=True)


def scope_filter(user, permission: str, queryset: QuerySet) -> QuerySet:
    """The rows of `queryset` the user may act on with `permission` (one query)."""
    g = grants(user)
    if not g.holds(permission):
        return queryset.none()
    if permission in g.all or permission in UNSCOPED_PERMISSIONS:
        return queryset
    return queryset.filter(_scope_q(user, g, permission, queryset.model))


def can(user, permission: str, obj: Model) -> bool:
    return scope_filter(user, permission, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def get_in_scope(user, permission: str, queryset: QuerySet, **lookup) -> Model:
    """One object, or 404 when it does not exist or lies outside the user's scope."""
    obj = scope_filter(user, permission, queryset).filter(**lookup).first()
    if obj is None:
        raise Http404
    from lisplan.audit.reads import note

    note(obj)  # the read-access log: one trainee's data was read in this request
    return obj


def check(
    actor, permission: str, obj: Model, message: str | None = None, field: str | None = None
) -> None:
    """Refuse (`lisplan.errors.Refused`, 403) unless the actor holds `permission` on `obj`.
    Services call this, so a page and an API operation get the same answer."""
    from lisplan.errors import Refused

    if not can(actor, permission, obj):
        raise Refused(message or str(_("Du har ikke tilgang til denne handlingen.")), field=field)


def institutions_for(user, permission: str) -> list[int] | None:
    """Institutions where the user holds the permission by institution scope; None when they
    hold it everywhere (administrator)."""
    g = grants(user)
    if permission in g.all:
        return None
    return sorted({i for i, _s in g.institutions.get(permission, ())})


def leads(user, trainee) -> bool:
    """Whether the user is a leader (with an arena assignment) over the trainee's current
    learning arena — the «leder med personalansvar» who signs the trainee's plans."""
    Employment = _model("trainees.Employment")

    paths = grants(user).arena_paths.get("plan.sign", ())
    if not paths:
        return False
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(arena__path__startswith=path)
    return Employment.objects.not_ended().filter(under, trainee=trainee).exists()


def leads_for(user, trainee, permission: str) -> bool:
    """Whether the user holds `permission` as leader (arena assignment) over the trainee's
    current learning arena."""
    Employment = _model("trainees.Employment")

    paths = grants(user).arena_paths.get(permission, ())
    if not paths:
        return False
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(arena__path__startswith=path)
    return Employment.objects.not_ended().filter(under, trainee=trainee).exists()


def roles_summary(user) -> list[RoleAssignment]:
    """The user's active role assignments (those `grants` read in this request, if it has)."""
    if getattr(user, "_lisplan_grants", None) is not None:
        return list(user._lisplan_assignments)
    return list(
        RoleAssignment.objects.active()
        .filter(user=user)
        .select_related("arena", "institution", "region", "specialty")
    )


# --- declaring rules on views ------------------------------------------------------------

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def _mark(view: Callable, rule: str) -> Callable:
    view.access_rule = rule  # read by the URL-walking test and the API
    return view


def public(view: Callable) -> Callable:
    """Reachable without signing in (login page, health check)."""
    return _mark(view, PUBLIC)


def require(permission: str | None) -> Callable[[Callable], Callable]:
    """Sign-in required, and (unless None) the permission in at least one scope; else 403."""
    if permission is not None and permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            from django.contrib.auth.views import redirect_to_login

            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if permission is not None and not has_permission(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(wrapper, permission or AUTHENTICATED)

    return decorate
