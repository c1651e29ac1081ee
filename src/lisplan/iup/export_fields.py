"""The ALIS form's field names (seed 002) filled from a revision: the typed sections from the
revision, section 4 from the progress ledger (`progress.present.form_values` via `iup.status`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lisplan.iup.models import Revision, Signature
from lisplan.iup.status import ALIS_ROWS, status_table

TEXT_FIELDS = {
    "l_arena": "workplace",
    "mail": "contact",
    "leder": "municipality_leader",
    "alis_koord": "alis_coordinator",
    "iv_navn": "supervisor_name",
    "iv_mail": "supervisor_contact",
    "inst_tj_fremtid": "plan_institution",
    "kurs_fremtid": "plan_courses",
    "g_veil_fremtid": "plan_group_supervision",
    "lv_fremtid": "plan_out_of_hours",
    "andre_akt_fremtid": "plan_other_activities",
    "fordypning_fremtid": "plan_in_depth",
    "plan_perm": "planned_leave",
    "plan_overordnet": "plan_overall",
}
SIGNATURE_FIELDS = {
    "alis_sign": Signature.Role.TRAINEE,
    "kommune_sign": Signature.Role.LEADER,
    "veil_sign": Signature.Role.SUPERVISOR,
}


def _date(d: dt.date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


def _local_date(moment: dt.datetime | None) -> str:
    """The date in Norway (Europe/Oslo) of a stored (UTC) moment: a signature at 00:30 on
    1 March Norwegian time is dated 1 March, not 28 February."""
    return _date(timezone.localdate(moment)) if moment else ""


def alis_form_values(revision: Revision, today: dt.date) -> dict[str, str]:
    """Every field name of the ALIS PDF form -> its text (checkboxes "Yes"/"Off")."""
    plan = revision.plan
    trainee = plan.trainee
    employment = plan.employment
    values: dict[str, str] = {
        "lis_navn": trainee.full_name,
        "hpr": trainee.hpr_number or "",
        "kommune": str(employment.institution) if employment else "",
        "regutdvirk_ja": "Yes" if revision.municipality_registered is True else "Off",
        "regutdvirk_nei": "Yes" if revision.municipality_registered is False else "Off",
        "referat_hvem": revision.get_minutes_by_display() if revision.minutes_by else "",
        "alm_tj_fremtid": "\n".join(
            x for x in (revision.plan_open_practice, revision.plan_other_gp) if x
        ),
        "sted": ", ".join(x for x in (revision.place, _local_date(revision.signed_at)) if x),
        "neste_mote": _date(revision.next_meeting),
    }
    for name, attr in TEXT_FIELDS.items():
        values[name] = getattr(revision, attr) or ""
    signatures = {s.role: s for s in revision.signatures.all()}
    for name, role in SIGNATURE_FIELDS.items():
        s = signatures.get(role)
        values[name] = f"{s.name} {_local_date(s.signed_at)}" if s else ""
    table = status_table(revision, today)
    for _group, done, rest, _label in ALIS_ROWS:
        values[done] = table.form_values.get(done, "")
        values[rest] = table.form_values.get(rest, "")
    return values
