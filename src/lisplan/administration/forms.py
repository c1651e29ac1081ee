"""Forms of the administration pages. They only shape input; the rules are in the services
(`accounts.services`, `organisations.services`, `catalogue.services`) and the models' `clean`."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.forms import DesignsystemetForm
from lisplan.accounts.models import Role
from lisplan.accounts.queries import UserFilters
from lisplan.catalogue.models import Specialty
from lisplan.organisations.models import Institution, LearningArena, Region


def _date_widget() -> forms.DateInput:
    # The browser's date picker: dd.mm.åååå in Norwegian, ISO dates submitted.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserFilterForm(DesignsystemetForm, forms.Form):
    q = forms.CharField(
        label=_("Søk etter navn, brukernavn, e-post eller HPR-nummer"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Rolle i dag"), required=False, choices=[("", _("Alle"))] + Role.choices
    )
    institution = forms.ModelChoiceField(
        label=_("Rolle ved"),
        queryset=Institution.objects.order_by("name"),
        required=False,
        empty_label=_("Alle"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alle")), ("active", _("Aktive")), ("inactive", _("Deaktiverte"))],
    )

    def filters(self) -> UserFilters:
        self.is_valid()
        data = self.cleaned_data
        institution = data.get("institution")
        return UserFilters(
            q=data.get("q") or "",
            status=data.get("status") or "",
            role=data.get("role") or "",
            institution=institution.pk if institution else None,
        )


class UserForm(DesignsystemetForm, forms.Form):
    first_name = forms.CharField(label=_("Fornavn"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Etternavn"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-post"),
        required=False,
        help_text=_("Varsler sendes hit."),
        error_messages={"invalid": _("Skriv en gyldig e-postadresse, for eksempel navn@hf.no.")},
    )
    hpr_number = forms.CharField(
        label=_("HPR-nummer"),
        max_length=9,
        required=False,
        help_text=_(
            "Helsepersonellregisteret. Med HPR-nummer kobles brukeren til sin første innlogging "
            "med HelseID."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class UserCreateForm(UserForm):
    username = forms.CharField(
        label=_("Brukernavn"),
        max_length=150,
        required=False,
        help_text=_(
            "Tomt: lages av navnet (fornavn.etternavn). Brukeren logger inn med HelseID eller "
            "Entra ID, ikke med passord."
        ),
    )

    field_order = ["first_name", "last_name", "email", "hpr_number", "username"]


class RoleForm(DesignsystemetForm, forms.Form):
    role = forms.ChoiceField(
        label=_("Rolle"),
        choices=[("", _("Velg rolle"))] + Role.choices,
        error_messages={"required": _("Velg en rolle.")},
    )
    institution = forms.ModelChoiceField(
        label=_("Virksomhet"),
        queryset=Institution.objects.order_by("name"),
        required=False,
        empty_label=_("Ingen"),
        help_text=_(
            "For veileder, utdanningsansvarlig overlege (UAO), utdanningskoordinerende "
            "overlege (UKO) og lokal koordinator."
        ),
    )
    arena = forms.ModelChoiceField(
        label=_("Læringsarena"),
        queryset=LearningArena.objects.none(),
        required=False,
        empty_label=_("Ingen"),
        help_text=_("For leder: læringsarenaen og arenaene under den."),
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("Ingen"),
        help_text=_("For regional koordinator og regional planlegger."),
    )
    specialty = forms.ModelChoiceField(
        label=_("Spesialitet"),
        queryset=Specialty.objects.order_by("name"),
        required=False,
        empty_label=_("Ingen"),
        help_text=_("Bare for UAO: spesialiteten vedkommende har ansvar for."),
    )
    valid_from = forms.DateField(
        label=_("Gyldig fra"),
        widget=_date_widget(),
        help_text=_("Første dag rollen gjelder."),
        error_messages={"required": _("Velg datoen rollen gjelder fra.")},
    )
    valid_to = forms.DateField(
        label=_("Gyldig til"),
        required=False,
        widget=_date_widget(),
        help_text=_("Siste dag rollen gjelder. Tomt: til rollen avsluttes."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Arenas grouped by their institution (one <optgroup> each), so two «Ortopedisk
        # avdeling» can be told apart and a long list can be scanned.
        arenas = LearningArena.objects.select_related("institution").order_by(
            "institution__name", "path"
        )
        field = self.fields["arena"]
        field.queryset = arenas
        groups: dict[str, list[tuple[int, str]]] = {}
        for arena in arenas:
            groups.setdefault(arena.institution.name, []).append((arena.pk, arena.name))
        field.choices = [("", field.empty_label), *groups.items()]

    def scope(self) -> dict:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("institution", "arena", "region", "specialty", "valid_from", "valid_to")
            if data.get(name) is not None
        }


class RoleEndForm(DesignsystemetForm, forms.Form):
    last_day = forms.DateField(
        label=_("Siste dag med rollen"),
        required=False,
        widget=_date_widget(),
        help_text=_("Tomt: rollen avsluttes nå, og brukeren mister tilgangen med en gang."),
    )


class InstitutionFilterForm(DesignsystemetForm, forms.Form):
    q = forms.CharField(
        label=_("Søk etter navn eller kode"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label=_("Alle"),
    )


class InstitutionForm(DesignsystemetForm, forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["name", "code", "kind", "region", "org_number"]
        help_texts = {
            "code": _(
                "Kort kode som brukes i import og eksport, for eksempel UNN. Kan ikke endres."
            ),
            "org_number": _("Ni sifre fra Enhetsregisteret."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]


class ArenaForm(DesignsystemetForm, forms.ModelForm):
    class Meta:
        model = LearningArena
        fields = ["name", "level", "parent", "specialty", "leader"]
        labels = {"parent": _("Ligger under")}
        help_texts = {
            "parent": _("Klinikken eller avdelingen arenaen hører til. Tomt: øverste nivå."),
            "leader": _(
                "Får varsler om spesialiseringsperioder i arenaen. Du kan velge brukere med "
                "rollen leder ved virksomheten; rollen gis på siden til brukeren."
            ),
        }

    def __init__(self, *args, institution: Institution, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        parents = LearningArena.objects.filter(institution=institution).order_by("path")
        if self.instance.pk:
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("Ingen (øverste nivå)")
        self.fields["specialty"].empty_label = _("Ingen")
        from lisplan.accounts.models import Role, RoleAssignment, User

        leaders = RoleAssignment.objects.active().filter(
            role=Role.LEADER, arena__institution=institution
        )
        current = [self.instance.leader_id] if self.instance.leader_id else []
        self.fields["leader"].queryset = User.objects.filter(
            Q(pk__in=leaders.values("user_id"), is_active=True) | Q(pk__in=current)
        ).order_by("last_name", "first_name")
        self.fields["leader"].empty_label = _("Ingen")


class SpecialtyForm(DesignsystemetForm, forms.ModelForm):
    class Meta:
        model = Specialty
        fields = ["name", "name_en", "source", "verified"]
        help_texts = {
            "source": _(
                "Hvor opplysningene er hentet fra, for eksempel en lenke til Helsedirektoratet."
            ),
            "verified": _("Kryss av når navnet og læringsmålene er kontrollert mot kilden."),
        }


class GoalFilterForm(DesignsystemetForm, forms.Form):
    q = forms.CharField(
        label=_("Søk i kode eller tekst"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class GoalImportForm(DesignsystemetForm, forms.Form):
    file = forms.FileField(
        label=_("Fil (.xlsx eller .csv)"),
        help_text=_("Filen kontrolleres først; ingenting lagres før du bekrefter."),
        error_messages={
            "required": _("Velg filen som skal importeres."),
            "empty": _("Filen er tom."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        from lisplan.catalogue.upload import MAX_BYTES

        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(
                _("Filen må være et regneark (.xlsx) eller en CSV-fil (.csv).")
            )
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Filen er for stor: høyst %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload
