"""The ALIS field-name export, so a municipality can hand the plan on in the format of the
Directorate's PDF form (seed 002): a JSON object with exactly the form's field names, and a
filled PDF whose AcroForm fields carry those names.

The mapping from a revision to the field names lives in one place, `iup.export_fields`
(`alis_form_values`, whose section 4 comes from `progress.present.form_values`); this module only
lays the values out. Checkboxes (`regutdvirk_ja`, `regutdvirk_nei`) are "Yes" or "Off", in
the JSON and as the PDF field's state."""

from __future__ import annotations

import datetime as dt
import io

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lisplan.iup.export_fields import alis_form_values
from lisplan.iup.models import Revision
from lisplan.iup.status import ALIS_ROWS

CHECKBOXES = ("regutdvirk_ja", "regutdvirk_nei")
ON = "Yes"  # the checked state's name, as in the Directorate's form
OFF = "Off"

# The fillable PDF's layout, section by section as on the form: (label, field, multi-line).
# Section 4 is built from `status.ALIS_ROWS` (the one list of the status rows).
SECTIONS = [
    (
        _lazy("1. Informasjon om kommune"),
        [
            (_lazy("a. Kommune"), "kommune", False),
            (
                _lazy("b. Er kommunen registrert som utdanningsvirksomhet? JA"),
                "regutdvirk_ja",
                False,
            ),
            (
                _lazy("b. Er kommunen registrert som utdanningsvirksomhet? NEI"),
                "regutdvirk_nei",
                False,
            ),
            (_lazy("c. Leder i kompetanseportalen"), "leder", False),
            (_lazy("d. ALIS-koordinator/kontaktperson"), "alis_koord", False),
        ],
    ),
    (
        _lazy("2. Informasjon om ALIS"),
        [
            (_lazy("e. Navn"), "lis_navn", False),
            (_lazy("f. HPR-nummer"), "hpr", False),
            (_lazy("g. E-post/telefon"), "mail", False),
            (_lazy("h. Læringsarena/Arbeidssted"), "l_arena", False),
        ],
    ),
    (
        _lazy("3. Avtale om individuell veiledning"),
        [
            (_lazy("a. Individuell veileders navn"), "iv_navn", False),
            (_lazy("b. E-post adresse/telefon"), "iv_mail", False),
            (_lazy("c. Hvem skriver referat"), "referat_hvem", False),
        ],
    ),
    (
        _lazy("5. Framdriftsplan for kommende periode"),
        [
            (_lazy("a. Allmennmedisinsk tjeneste"), "alm_tj_fremtid", True),
            (_lazy("b. Institusjonstjeneste"), "inst_tj_fremtid", True),
            (_lazy("c. Kurs"), "kurs_fremtid", True),
            (_lazy("d. Gruppeveiledning"), "g_veil_fremtid", True),
            (_lazy("e. Legevakt"), "lv_fremtid", True),
            (_lazy("f. Andre læringsaktiviteter"), "andre_akt_fremtid", True),
            (_lazy("g. Faglig fordypning"), "fordypning_fremtid", True),
            (_lazy("h. Planlagt permisjon/fravær"), "plan_perm", True),
        ],
    ),
    (
        _lazy("6. Plan for hele utdanningsløpet"),
        [
            (_lazy("Plan eller skisse for hele spesialiseringsløpet"), "plan_overordnet", True),
        ],
    ),
    (
        _lazy("7. Underskrift"),
        [
            (_lazy("Sted / dato"), "sted", False),
            (_lazy("ALIS (navn, underskrift)"), "alis_sign", False),
            (_lazy("Kommunen (navn, underskrift)"), "kommune_sign", False),
            (_lazy("Veileder (navn, underskrift)"), "veil_sign", False),
            (_lazy("Dato for neste møte"), "neste_mote", False),
        ],
    ),
]


def alis_fields(revision: Revision, today: dt.date) -> dict[str, str]:
    """{form field name: value} for every field of the ALIS form, nothing else."""
    values = alis_form_values(revision, today)
    for name in CHECKBOXES:
        values[name] = ON if values.get(name) == ON else OFF
    return {name: "" if value is None else str(value) for name, value in values.items()}


def _layout(values: dict[str, str]) -> list[dict]:
    def row(label, name, multiline):
        return {
            "label": label,
            "name": name,
            "value": values.get(name, ""),
            "multiline": multiline,
            "checkbox": name in CHECKBOXES,
        }

    sections = [{"title": title, "rows": [row(*r) for r in rows]} for title, rows in SECTIONS]
    status = {
        "title": _("4. Status tjenestetid og læringsaktiviteter"),
        "status": [
            {
                "label": _(label),
                "group": group,
                "done": row(_("Gjennomført"), done, False),
                "rest": row(_("Gjenstår"), rest, False),
            }
            for group, done, rest, label in ALIS_ROWS
        ],
    }
    return sections[:3] + [status] + sections[3:]


def render_fillable_html(revision: Revision, today: dt.date) -> str:
    values = alis_fields(revision, today)
    return render_to_string(
        "iup/pdf/alis_fields.html",
        {
            "revision": revision,
            "trainee": revision.plan.trainee,
            "sections": _layout(values),
            "footer_title": _("Individuell utdanningsplan for ALIS – skjemafelt"),
        },
    )


def render_fillable_pdf(revision: Revision, today: dt.date) -> bytes:
    """The ALIS form as a PDF with fillable fields named as in the Directorate's form."""
    from lisplan.documents.pdf import write_pdf

    data = write_pdf(render_fillable_html(revision, today), pdf_forms=True)
    return _checkbox_states(data)


def _checkbox_states(data: bytes) -> bytes:
    """WeasyPrint names a checkbox's checked state «on»; the Directorate's form (and our JSON)
    uses «Yes». Rename it so a reader sees the same value in both."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/FT") != "/Btn":
                continue
            appearance = annot.get("/AP")
            normal = appearance.get("/N") if appearance else None
            if normal is not None and "/on" in normal:
                renamed = DictionaryObject(
                    {
                        NameObject(f"/{ON}" if key == "/on" else key): value
                        for key, value in normal.items()
                    }
                )
                appearance[NameObject("/N")] = renamed
            for key in ("/AS", "/V"):
                if annot.get(key) == "/on":
                    annot[NameObject(key)] = NameObject(f"/{ON}")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def filename(revision: Revision, extension: str) -> str:
    name = slugify(revision.plan.trainee.full_name) or "alis"
    return f"alis-utdanningsplan-{name}-revisjon-{revision.number}-skjemafelt.{extension}"
