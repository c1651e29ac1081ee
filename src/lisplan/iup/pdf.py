"""The PDF of an education-plan revision, laid out like its paper form: the hospital form
(seed 001, tables 1–7 and the three signatures) or the ALIS form (seed 002, sections 1–7 and the
date of the next meeting). WeasyPrint renders `templates/iup/pdf/`, which include the plans PDF's
print CSS (A4, the footer with the title and «Side N av M») instead of copying it.

The status tables come from `iup.status.status_table`: live numbers from the progress ledger
while the revision is open, the snapshot frozen at signing once it is signed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lisplan.iup.models import Kind, Meeting, Revision, Signature, Status
from lisplan.iup.pages import first_made
from lisplan.iup.status import status_table
from lisplan.plans.pdf import _css_string


def signature_rows(revision: Revision) -> list[dict]:
    """The form's three signature lines in its order (LIS/ALIS, supervisor, leader or
    municipality), signed or not."""
    given = {s.role: s for s in revision.signatures.all()}
    if revision.plan.kind == Kind.ALIS:
        labels = {
            Signature.Role.TRAINEE: _("ALIS"),
            Signature.Role.LEADER: _("Kommunen"),
            Signature.Role.SUPERVISOR: _("Veileder"),
        }
        order = [Signature.Role.TRAINEE, Signature.Role.LEADER, Signature.Role.SUPERVISOR]
    else:
        labels = {
            Signature.Role.TRAINEE: _("Signatur LIS"),
            Signature.Role.SUPERVISOR: _("Signatur veileder"),
            Signature.Role.LEADER: _("Signatur leder"),
        }
        order = [Signature.Role.TRAINEE, Signature.Role.SUPERVISOR, Signature.Role.LEADER]
    return [{"role": labels[role], "signature": given.get(role)} for role in order]


def course_groups(revision: Revision) -> list[dict]:
    """Table 5's three row groups (own unit, other department, other trust): the approved
    implementation plan's periods and the tentative rows typed into the IUP
    (`iup.pages.course_plan`, shared with the page)."""
    from lisplan.iup.pages import course_plan

    return [
        {"label": label, "rows": [{**r, "tentative": not r.get("from_plan")} for r in rows]}
        for label, rows in course_plan(revision)["rows"]
    ]


@dataclass(frozen=True)
class StatusLine:
    """A row of table 4 with the comment typed into the revision beside the computed numbers."""

    label: str
    done: str
    remaining: str
    details_done: tuple[str, ...]
    details_remaining: tuple[str, ...]
    comment: str


def status_lines(revision: Revision, table) -> list[StatusLine]:
    return [
        StatusLine(
            r.label,
            r.done,
            r.remaining,
            tuple(r.details_done),
            tuple(r.details_remaining),
            (getattr(revision, r.comment_field, "") or "") if r.comment_field else "",
        )
        for r in table.rows
    ]


# Table 6, in the form's order: (heading, [(sub-heading, revision field)]).
PROGRESS_PLAN = [
    (
        _lazy("Klinisk tjeneste. Stikkordsmessig beskrivelse av innhold"),
        [
            (_lazy("Egen avdeling"), "clinical_own_unit"),
            (_lazy("Annen avdeling"), "clinical_other_unit"),
            (_lazy("Annet foretak"), "clinical_other_trust"),
            (_lazy("Spesielle prosedyrekrav"), "procedure_requirements"),
            (
                _lazy("Hvordan oppnås felles kompetansemål (FKM) i klinisk tjeneste?"),
                "fkm_in_clinical",
            ),
        ],
    ),
    (
        _lazy("Læringsmål som skal prioriteres"),
        [(_lazy("De kommende 6–12 månedene"), "priority_goals")],
    ),
    (
        _lazy("Kurs: planlagte neste 6–12 måneder"),
        [
            (_lazy("Nasjonalt anbefalte kurs"), "courses_national"),
            (_lazy("Lokale kurs"), "courses_local"),
            (_lazy("Eventuelt andre kurs"), "courses_other"),
        ],
    ),
    (_lazy("Hospitering"), [(_lazy("Hospitering"), "observation_stays")]),
    (
        _lazy("Felles kompetansemål (FKM)"),
        [
            (_lazy("Prosjektoppgave «Kunnskap og forbedring»"), "fkm_project"),
            (_lazy("Forskning"), "fkm_research"),
            (_lazy("Deltakelse i pasient-/brukeropplæring"), "fkm_patient_education"),
            (_lazy("Veilederkurs"), "fkm_supervisor_course"),
            (_lazy("Andre relevante kurs"), "fkm_other_courses"),
            (_lazy("Gruppeveiledning"), "fkm_group_supervision"),
            (_lazy("Selvstudium, e-læring og andre aktuelle læringsaktiviteter"), "fkm_self_study"),
        ],
    ),
    (_lazy("Litteraturlesing/selvstudium"), [(_lazy("Aktuelle tema"), "literature")]),
    (_lazy("Internundervisning"), [(_lazy("Aktuelle tema"), "teaching_topics")]),
    (
        _lazy("Egne veilederoppgaver"),
        [(_lazy("Veileder for LIS1 eller student"), "own_supervision_tasks")],
    ),
    (_lazy("Personlig mål for faglig utvikling"), [(_lazy("Det neste halvåret"), "personal_goal")]),
    (
        _lazy("Andre aktuelle tema kommende halvår"),
        [
            (_lazy("Faglig innhold"), "other_content"),
            (_lazy("Planlagte permisjoner"), "planned_leave"),
            (_lazy("Annet arbeid"), "other_work"),
        ],
    ),
]


def progress_plan(revision: Revision) -> list[dict]:
    out = []
    for heading, items in PROGRESS_PLAN:
        rows = [{"label": label, "value": getattr(revision, name) or ""} for label, name in items]
        out.append({"label": heading, "items": rows, "filled": any(r["value"] for r in rows)})
    return out


def pdf_context(revision: Revision, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    plan = revision.plan
    employment = plan.employment
    meetings = list(revision.meetings.all())
    table = status_table(revision, today)
    groups = course_groups(revision)
    title = (
        _("Individuell utdanningsplan for ALIS")
        if plan.kind == Kind.ALIS
        else _("Individuell utdanningsplan")
    )
    return {
        "revision": revision,
        "plan": plan,
        "first_made": first_made(plan.revisions.all()) or revision.created_at,
        "trainee": plan.trainee,
        "employment": employment,
        "specialty": employment.specialty if employment else None,
        "status_label": revision.get_status_display(),
        "signed": revision.status in (Status.SIGNED, Status.SUPERSEDED),
        "status": table,
        "supervision_meetings": [m for m in meetings if m.kind == Meeting.Kind.SUPERVISION],
        "panels": [m for m in meetings if m.kind == Meeting.Kind.ASSESSMENT_PANEL],
        "course_groups": groups,
        "course_rows": [r for g in groups for r in g["rows"]],
        "status_rows": status_lines(revision, table),
        "progress_plan": progress_plan(revision),
        "signatures": signature_rows(revision),
        "printed_at": timezone.localtime(),
        "footer_title": _css_string(
            _("%(title)s – %(name)s – revisjon %(n)s")
            % {"title": title, "name": plan.trainee.full_name, "n": revision.number}
        ),
        "title": title,
    }


def render_revision_html(revision: Revision, today: dt.date | None = None) -> str:
    template = "iup/pdf/alis.html" if revision.plan.kind == Kind.ALIS else "iup/pdf/hospital.html"
    return render_to_string(template, pdf_context(revision, today))


def render_revision_pdf(revision: Revision, today: dt.date | None = None) -> bytes:
    """A4 PDF bytes of the revision; pass one loaded by `iup.queries.revision_qs`."""
    from lisplan.documents.pdf import write_pdf

    return write_pdf(render_revision_html(revision, today))


def pdf_filename(revision: Revision) -> str:
    name = slugify(revision.plan.trainee.full_name) or "lege"
    return f"utdanningsplan-{name}-revisjon-{revision.number}.pdf"


def pdf_response(request, revision):
    """Signed (or superseded) revisions are immutable: rendered once, then streamed from
    storage (`documents.stored`); drafts and plans under signing render on demand. `revision`
    may be loaded lightly (with `plan__trainee`): it is loaded in full only to render."""
    from lisplan.documents.stored import file_response
    from lisplan.iup.queries import revision_qs

    def render() -> bytes:
        return render_revision_pdf(revision_qs().get(pk=revision.pk))

    return file_response(
        request,
        key=f"iup.revision:{revision.pk}:v{revision.version}",
        immutable=revision.status in (Status.SIGNED, Status.SUPERSEDED),
        render=render,
        filename=pdf_filename(revision),
    )
