"""Administration inside lisplan: users and their roles, institutions and learning arenas, the
catalogue. Views look up, validate a form and call a service; who may do what is in
`accounts.access` (the administrator holds `user.manage`, `role.assign`,
`organisation.change`, `catalogue.change`, `catalogue.import`) and every service checks it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lisplan.accounts import queries as user_queries
from lisplan.accounts import services as account_services
from lisplan.accounts.access import PERMISSIONS, ROLE_PERMISSIONS, require
from lisplan.accounts.models import ROLE_SCOPE, Role, RoleAssignment, User
from lisplan.administration import forms
from lisplan.audit.models import AuditEvent
from lisplan.audit.present import present
from lisplan.catalogue import services as catalogue_services
from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.errors import DomainError, add_to_form
from lisplan.organisations import services as organisation_services
from lisplan.organisations.models import Institution, LearningArena
from lisplan.ui.paging import page_of


def _attempt(request, form, save, message: str):
    """Call the service with the form's data; its refusals land on the form's fields."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(form.cleaned_data)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return None
    except DomainError as error:
        add_to_form(form, error)
        return None
    if message:
        messages.success(request, message)
    return result


def _post_action(request, action, message: str) -> None:
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message)


@require("user.manage")
def index(request):
    return render(
        request,
        "administration/index.html",
        {
            "users": User.objects.filter(is_active=True).count(),
            "institutions": Institution.objects.count(),
            "specialties": Specialty.objects.count(),
        },
    )


# --- users and roles ----------------------------------------------------------------------


@require("user.manage")
def user_list(request):
    form = forms.UserFilterForm(request.GET)
    page, page_range = page_of(request, user_queries.users(form.filters()))
    return render(
        request,
        "administration/user_list.html",
        {"form": form, "page": page, "page_range": page_range},
    )


@require("user.manage")
def user_create(request):
    form = forms.UserCreateForm(request.POST or None)
    user = _attempt(
        request,
        form,
        lambda data: account_services.user_create(actor=request.user, **data),
        _("Brukeren er opprettet. Gi brukeren en rolle, så får hen tilgang."),
    )
    if user is not None:
        return redirect("administration:user", user.pk)
    return render(request, "administration/user_form.html", {"form": form, "target": None})


def _user(pk: int) -> User:
    return get_object_or_404(User, pk=pk)


def _user_history(user: User) -> list:
    assignments = [str(pk) for pk in user.role_assignments.values_list("pk", flat=True)]
    events = AuditEvent.objects.filter(
        Q(object_type="accounts.user", object_id=str(user.pk))
        | Q(object_type="accounts.roleassignment", object_id__in=assignments)
    ).order_by("-created_at", "-id")[:50]
    return [present(e) for e in events]


def _sign_in(user: User) -> str:
    """How the user signs in, in words (never the internal username of an OpenID user)."""
    from lisplan.accounts.oidc import providers

    labels = {p.key: p.label for p in providers().values()}
    linked = sorted(
        {
            labels.get(i.provider, i.provider.replace("_", " ").title())
            for i in user.external_identities.all()
        }
    )
    if linked:
        return ", ".join(linked)
    if user.has_usable_password():
        return _("Med brukernavn og passord")
    if user.hpr_number:
        return _("Ikke logget inn ennå: kobles til ved første innlogging med HelseID")
    return _("Ikke logget inn ennå")


@require("user.manage")
def user_detail(request, pk: int):
    user = _user(pk)
    current, ended = user_queries.role_history(user)
    return render(
        request,
        "administration/user_detail.html",
        {
            "target": user,
            "current_roles": current,
            "ended_roles": ended,
            "today": timezone.localdate(),
            "history": _user_history(user),
            "sign_in": _sign_in(user),
            "is_self": user.pk == request.user.pk,
        },
    )


@require("user.manage")
def user_edit(request, pk: int):
    user = _user(pk)
    initial = {f: getattr(user, f) for f in account_services.EDITABLE_USER_FIELDS}
    form = forms.UserForm(request.POST or None, initial=initial)
    done = _attempt(
        request,
        form,
        lambda data: account_services.user_update(actor=request.user, user=user, **data),
        _("Brukeren er endret."),
    )
    if done is not None:
        return redirect("administration:user", user.pk)
    return render(request, "administration/user_form.html", {"form": form, "target": user})


@require("user.manage")
def user_deactivate(request, pk: int):
    """GET: what deactivating means, and a confirm button; POST: deactivate."""
    user = _user(pk)
    if request.method == "POST":
        _post_action(
            request,
            lambda: account_services.user_deactivate(actor=request.user, user=user),
            _("%(name)s er deaktivert og logget ut overalt.") % {"name": user},
        )
        return redirect("administration:user", user.pk)
    return render(request, "administration/user_deactivate.html", {"target": user})


@require_POST
@require("user.manage")
def user_reactivate(request, pk: int):
    user = _user(pk)
    _post_action(
        request,
        lambda: account_services.user_reactivate(actor=request.user, user=user),
        _("%(name)s er aktiv igjen.") % {"name": user},
    )
    return redirect("administration:user", user.pk)


def _role_rows() -> list[dict]:
    """Each role with the organisation it is given in and what it may do, for the role form."""
    scope_words = {
        None: _("Ingen organisasjon"),
        "institution": _("En utdanningsvirksomhet"),
        "arena": _("En læringsarena"),
        "region": _("En region"),
    }
    return [
        {
            "label": label,
            "scope": scope_words[ROLE_SCOPE.get(Role(code))],
            "permissions": [_("Alt, for hele landet")]
            if code == Role.ADMIN
            else sorted(str(PERMISSIONS[p]) for p in ROLE_PERMISSIONS.get(code, ())),
        }
        for code, label in Role.choices
    ]


@require("role.assign")
def role_add(request, pk: int):
    user = _user(pk)
    form = forms.RoleForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    done = _attempt(
        request,
        form,
        lambda data: account_services.role_assign(
            actor=request.user, user=user, role=data["role"], **form.scope()
        ),
        _("Rollen er gitt."),
    )
    if done is not None:
        return redirect("administration:user", user.pk)
    return render(
        request,
        "administration/role_form.html",
        {"form": form, "target": user, "roles": _role_rows()},
    )


@require("role.assign")
def role_end(request, pk: int, role_pk: int):
    user = _user(pk)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("institution", "arena", "region", "specialty"),
        pk=role_pk,
        user=user,
    )
    form = forms.RoleEndForm(request.POST or None)
    words = {"role": assignment}
    done = _attempt(
        request,
        form,
        lambda data: account_services.role_end(
            actor=request.user, assignment=assignment, last_day=data["last_day"]
        ),
        "",
    )
    if done is not None:
        messages.success(
            request,
            _("Rollen %(role)s er avsluttet.") % words
            if done == "ended"
            else _("Rollen %(role)s hadde ikke begynt å gjelde og er fjernet.") % words,
        )
        return redirect("administration:user", user.pk)
    return render(
        request,
        "administration/role_end.html",
        {"form": form, "target": user, "assignment": assignment},
    )


# --- institutions and learning arenas -----------------------------------------------------


@require("organisation.change")
def institution_list(request):
    form = forms.InstitutionFilterForm(request.GET)
    form.is_valid()
    rows = Institution.objects.select_related("region").annotate(arena_count=Count("arenas"))
    q = (form.cleaned_data.get("q") or "").strip()
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(code__iexact=q))
    if form.cleaned_data.get("region"):
        rows = rows.filter(region=form.cleaned_data["region"])
    page, page_range = page_of(request, rows.order_by("name", "id"))
    return render(
        request,
        "administration/institution_list.html",
        {"form": form, "page": page, "page_range": page_range},
    )


@require("organisation.change")
def institution_create(request):
    form = forms.InstitutionForm(request.POST or None)
    institution = _attempt(
        request,
        form,
        lambda data: organisation_services.institution_create(actor=request.user, **data),
        _("Utdanningsvirksomheten er registrert."),
    )
    if institution is not None:
        return redirect("administration:institution", institution.pk)
    return render(
        request, "administration/institution_form.html", {"form": form, "institution": None}
    )


@require("organisation.change")
def institution_detail(request, pk: int):
    institution = get_object_or_404(Institution.objects.select_related("region"), pk=pk)
    arenas = LearningArena.objects.filter(institution=institution).select_related(
        "specialty", "leader", "parent"
    )
    return render(
        request,
        "administration/institution_detail.html",
        {
            "institution": institution,
            "arenas": arenas.order_by("path"),
            "approvals": institution.approvals.select_related("specialty").order_by(
                "specialty__name"
            ),
        },
    )


@require("organisation.change")
def institution_edit(request, pk: int):
    institution = get_object_or_404(Institution, pk=pk)
    form = forms.InstitutionForm(request.POST or None, instance=institution)
    done = _attempt(
        request,
        form,
        lambda data: organisation_services.institution_update(
            actor=request.user, institution=institution, **data
        ),
        _("Utdanningsvirksomheten er endret."),
    )
    if done is not None:
        return redirect("administration:institution", institution.pk)
    return render(
        request,
        "administration/institution_form.html",
        {"form": form, "institution": Institution.objects.get(pk=pk)},
    )


@require("organisation.change")
def arena_create(request, pk: int):
    institution = get_object_or_404(Institution, pk=pk)
    form = forms.ArenaForm(
        request.POST or None,
        instance=LearningArena(institution=institution),
        institution=institution,
    )
    done = _attempt(
        request,
        form,
        lambda data: organisation_services.arena_create(
            actor=request.user, institution=institution, **data
        ),
        _("Læringsarenaen er registrert."),
    )
    if done is not None:
        return redirect("administration:institution", institution.pk)
    return render(
        request,
        "administration/arena_form.html",
        {"form": form, "institution": institution, "arena": None},
    )


@require("organisation.change")
def arena_edit(request, pk: int, arena_pk: int):
    institution = get_object_or_404(Institution, pk=pk)
    arena = get_object_or_404(LearningArena, pk=arena_pk, institution=institution)
    name = arena.name
    form = forms.ArenaForm(request.POST or None, instance=arena, institution=institution)
    done = _attempt(
        request,
        form,
        lambda data: organisation_services.arena_update(actor=request.user, arena=arena, **data),
        _("Læringsarenaen er endret."),
    )
    if done is not None:
        return redirect("administration:institution", institution.pk)
    return render(
        request,
        "administration/arena_form.html",
        {"form": form, "institution": institution, "arena": arena, "arena_name": name},
    )


# --- the catalogue ------------------------------------------------------------------------


@require("catalogue.change")
def specialty_list(request):
    rows = Specialty.objects.annotate(
        goal_count=Count("learning_goals", filter=Q(learning_goals__valid_to__isnull=True))
    ).order_by("name")
    return render(request, "administration/specialty_list.html", {"specialties": rows})


@require("catalogue.change")
def specialty_detail(request, code: str):
    specialty = get_object_or_404(Specialty, code=code)
    form = forms.GoalFilterForm(request.GET)
    form.is_valid()
    goals = LearningGoal.objects.filter(specialty=specialty)
    q = (form.cleaned_data.get("q") or "").strip()
    if q:
        goals = goals.filter(Q(code__icontains=q) | Q(text__icontains=q))
    page, page_range = page_of(request, goals.order_by("code", "valid_from", "id"))
    return render(
        request,
        "administration/specialty_detail.html",
        {"specialty": specialty, "form": form, "page": page, "page_range": page_range},
    )


@require("catalogue.change")
def specialty_edit(request, code: str):
    specialty = get_object_or_404(Specialty, code=code)
    form = forms.SpecialtyForm(request.POST or None, instance=specialty)
    done = _attempt(
        request,
        form,
        lambda data: catalogue_services.specialty_update(
            actor=request.user, specialty=specialty, **data
        ),
        _("Spesialiteten er endret."),
    )
    if done is not None:
        return redirect("administration:specialty", code)
    return render(
        request,
        "administration/specialty_form.html",
        {"form": form, "specialty": Specialty.objects.get(pk=specialty.pk)},
    )


@require("catalogue.import")
def goal_import(request):
    """Upload → dry run: every bad row by line; a clean file can then be confirmed."""
    from lisplan.catalogue import upload

    bound = request.method == "POST"
    form = forms.GoalImportForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
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
            "administration/goal_import_report.html",
            {"report": report, "token": token, "checked": True},
        )
    return render(request, "administration/goal_import.html", {"form": form})


@require_POST
@require("catalogue.import")
def goal_import_confirm(request):
    """Import the checked file: all rows or none (checked again inside one transaction)."""
    from lisplan.catalogue import upload

    pending = request.session.get(upload.SESSION_KEY) or {}
    token = request.POST.get("token", "")
    data = upload.load(request.user, token) if token and pending.get("token") == token else None
    if data is None:
        messages.error(
            request, _("Fant ingen kontrollert fil å importere. Last opp filen på nytt.")
        )
        return redirect("administration:goal_import")
    report = upload.check(request.user, data, pending.get("name", ""), dry_run=False)
    upload.discard(request.user, token)
    request.session.pop(upload.SESSION_KEY, None)
    if not report.ok:
        return render(
            request,
            "administration/goal_import_report.html",
            {"report": report, "token": None, "checked": False},
        )
    messages.success(
        request,
        _(
            "Læringsmålene er importert: %(created)s nye, %(updated)s oppdatert, "
            "%(unchanged)s uendret, %(closed)s eldre versjoner avsluttet."
        )
        % report.counts(),
    )
    return redirect("administration:specialties")
