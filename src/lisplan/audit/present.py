"""Audit events in words a person reads: one presenter for every history on the pages.

`present(event)` gives when, who, what happened (a label, never the dotted code) and each changed
field by its name with old and new values in words (choices by their label, dates as dates,
yes/no). `action_label(code)` is the label alone; an unknown code falls back to a generic
«Endring registrert» rather than the code itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from lisplan.audit.models import AuditEvent

ACTIONS = {
    "trainee.created": _("Lege registrert"),
    "trainee.changed": _("Opplysninger om legen endret"),
    "employment.created": _("Ansettelse registrert"),
    "employment.changed": _("Ansettelse endret"),
    "employment.deleted": _("Ansettelse slettet"),
    "leave.created": _("Permisjon registrert"),
    "leave.changed": _("Permisjon endret"),
    "leave.deleted": _("Permisjon slettet"),
    "supervision.created": _("Veileder registrert"),
    "supervision.changed": _("Veilederrelasjon endret"),
    "supervision.deleted": _("Veilederrelasjon avsluttet og slettet"),
    "plan.created": _("Gjennomføringsplan opprettet"),
    "plan.changed": _("Gjennomføringsplan endret"),
    "plan.submitted": _("Gjennomføringsplan sendt til signering"),
    "plan.signed": _("Gjennomføringsplan signert"),
    "plan.sent_for_approval": _("Gjennomføringsplan sendt til godkjenning"),
    "plan.approved": _("Gjennomføringsplan godkjent"),
    "plan.returned": _("Gjennomføringsplan sendt tilbake"),
    "plan.withdrawn": _("Gjennomføringsplan trukket tilbake"),
    "plan.revised": _("Ny revisjon av gjennomføringsplanen"),
    "plan.superseded": _("Gjennomføringsplan erstattet av ny revisjon"),
    "iup.created": _("Utdanningsplan (IUP) opprettet"),
    "iup.changed": _("Utdanningsplan (IUP) endret"),
    "iup.submitted": _("Utdanningsplan (IUP) sendt til signering"),
    "iup.signed": _("Utdanningsplan (IUP) signert"),
    "iup.withdrawn": _("Utdanningsplan (IUP) trukket tilbake"),
    "iup.revised": _("Ny revisjon av utdanningsplanen (IUP)"),
    "iup.superseded": _("Utdanningsplan (IUP) erstattet av ny revisjon"),
    "confirmation.requested": _("Bekreftelse på tjeneste bestilt"),
    "confirmation.issued": _("Bekreftelse på tjeneste utstedt og sendt til signering"),
    "confirmation.returned": _("Bekreftelse på tjeneste sendt tilbake til koordinator"),
    "confirmation.declined": _("Bestilling av bekreftelse på tjeneste avslått"),
    "confirmation.signed": _("Bekreftelse på tjeneste signert"),
    "confirmation.completed": _("Bekreftelse på tjeneste ferdig signert"),
    "confirmation.superseded": _("Bekreftelse på tjeneste erstattet av ny versjon"),
    "progress.goal_approved": _("Læringsmål godkjent"),
    "progress.activity_created": _("Læringsaktivitet registrert"),
    "progress.activity_changed": _("Læringsaktivitet endret"),
    "progress.activity_deleted": _("Læringsaktivitet slettet"),
    "progress.service_created": _("Tjenesteperiode registrert"),
    "progress.service_changed": _("Tjenesteperiode endret"),
    "progress.service_deleted": _("Tjenesteperiode slettet"),
    "progress.imported": _("Progresjon importert"),
    "register.registered": _("Registrert i fiktiv enhet"),
    "register.left": _("Fjernet fra fiktiv enhet"),
    "register.updated": _("Oppføring i fiktiv enhet endret"),
    "register.request_created": _("Behov for spesialiseringsperiode registrert"),
    "register.wish_registered": _("Ønske om spesialiseringsperiode registrert"),
    "register.forwarded": _("Ønske videresendt til fiktiv enhet"),
    "register.offered": _("Spesialiseringsperiode tilbudt"),
    "register.accepted": _("Tilbud akseptert"),
    "register.declined": _("Tilbud avslått"),
    "register.start_agreed": _("Oppstart avtalt"),
    "register.start_changed": _("Oppstart endret"),
    "register.started": _("Spesialiseringsperiode startet"),
    "register.completed": _("Spesialiseringsperiode fullført"),
    "register.cancelled": _("Ønske avbrutt"),
    "register.rank_set": _("Prioritet satt"),
    "register.external_answer": _("Svar fra annen region registrert"),
    "register.updated_from_plan": _("Oppdatert fra godkjent gjennomføringsplan"),
    "allocation.offer_from_proposal": _("Tilbud laget fra fordelingsforslag"),
    "allocation.run_started": _("Fordelingskjøring startet"),
    "allocation.run_done": _("Fordelingskjøring ferdig"),
    "allocation.run_failed": _("Fordelingskjøring feilet"),
    "allocation.policy_created": _("Innstillinger for fordeling opprettet"),
    "allocation.policy_changed": _("Innstillinger for fordeling endret"),
    "agreement.created": _("Fagavtale registrert"),
    "agreement.changed": _("Fagavtale endret"),
    "agreement.deleted": _("Fagavtale slettet"),
    "vacancy.opened": _("Ledig stilling lyst ut"),
    "vacancy.reopened": _("Ledig stilling åpnet igjen"),
    "vacancy.closed": _("Ledig stilling lukket"),
    "vacancy.filled": _("Ledig stilling besatt"),
    "vacancy.candidate_selected": _("Kandidat valgt til ledig stilling"),
    "iup.template_created": _("Mal for tabell 3 opprettet"),
    "iup.template_changed": _("Mal for tabell 3 endret"),
    "trainee.user_linked": _("Brukerkonto koblet til legen"),
    "role.assigned": _("Rolle gitt"),
    "role.changed": _("Rolle endret"),
    "role.revoked": _("Rolle fjernet"),
    "user.created": _("Bruker opprettet"),
    "user.changed": _("Bruker endret"),
    "user.created_by_sign_in": _("Bruker opprettet ved første innlogging"),
    "user.updated_by_sign_in": _("Bruker oppdatert ved innlogging"),
    "user.identity_linked": _("Innlogging koblet til brukeren"),
    "role.ended": _("Rolle avsluttet"),
    "user.deactivated": _("Bruker deaktivert"),
    "user.reactivated": _("Bruker aktivert igjen"),
    "institution.created": _("Utdanningsvirksomhet registrert"),
    "institution.changed": _("Utdanningsvirksomhet endret"),
    "arena.created": _("Læringsarena registrert"),
    "arena.changed": _("Læringsarena endret"),
    "specialty.changed": _("Spesialitet endret"),
    "catalogue.goals_imported": _("Læringsmål importert"),
    "api_token.issued": _("API-nøkkel laget"),
    "api_token.revoked": _("API-nøkkel slettet"),
    "calendar_feed.issued": _("Kalenderlenke laget"),
    "calendar_feed.revoked": _("Kalenderlenke slettet"),
    "programme.draft_created": _("Utkast til utdanningsprogram opprettet"),
    "programme.draft_changed": _("Utkast til utdanningsprogram endret"),
    "programme.draft_deleted": _("Utkast til utdanningsprogram slettet"),
    "programme.published": _("Utdanningsprogram publisert"),
    "insights.harvest_started": _("Innhøsting av kvalitetsindikatorer startet"),
    "insights.harvest_done": _("Innhøsting av kvalitetsindikatorer ferdig"),
}


def action_label(code: str) -> str:
    """The words for an action code; the verb of an unknown code in words, never the code."""
    if code in ACTIONS:
        return str(ACTIONS[code])
    verb = code.rsplit(".", 1)[-1]
    return str(
        {"created": _("Opprettet"), "changed": _("Endret"), "deleted": _("Slettet")}.get(
            verb, _("Endring registrert")
        )
    )


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    when: dt.datetime
    who: str
    action: str
    subject: str
    changes: list[Change]


def _field(model, name: str):
    """The model field behind a changed value; None for anything else (e.g. a snapshot's list
    of related rows such as a plan's «periods», which has no verbose name)."""
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None
    return field if field is not None and field.concrete else None


def _value(field, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("Ja") if value else _("Nei"))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            pass
    return str(value)


def present(event: AuditEvent) -> HistoryRow:
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        model = None
    changes = []
    for name, (old, new) in event.changes.items():
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else name
        changes.append(
            Change(label[:1].upper() + label[1:], _value(field, old), _value(field, new))
        )
    return HistoryRow(
        when=event.created_at,
        who=event.actor_name or "–",
        action=action_label(event.action),
        subject=event.object_repr,
        changes=changes,
    )
