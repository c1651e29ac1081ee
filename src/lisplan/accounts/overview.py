"""The trainee's personal overview on the start page: my plan (status, what is missing, whose
signature is next), my progress (on track? what remains, next assessment panel), my rotations
(place in the queue in words, expected start) and my supervision (next meeting) — each with
the link to act. Built from the apps' own queries; a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _month(d: dt.date | None) -> str:
    return formats.date_format(d, "F Y") if d else ""


def plan_status(user, trainee, today: dt.date) -> dict:
    """The newest implementation plan: a status in words, what is missing, the next step."""
    from lisplan.plans import pages as plan_pages
    from lisplan.plans.models import Signature, Status

    context = plan_pages.trainee_context(user, trainee, today)
    url = reverse("plans:trainee", args=[trainee.pk])
    summaries = context["plans"]
    if not summaries:
        missing = (
            _(
                "Du har ingen gjennomføringsplan ennå. Lederen din eller den lokale "
                "koordinatoren lager planen sammen med deg."
            )
            if context["employment"]
            else _("Du har ingen ansettelse registrert.")
        )
        return {
            "colour": "warning",
            "status": _("Mangler plan"),
            "missing": missing,
            "url": url,
            "action": _("Se planen"),
        }
    summary = summaries[0]
    current = summary["in_progress"]
    approved = summary["approved"]
    if current is not None:
        revision_url = reverse("plans:revision", args=[current.pk])
        if current.status == Status.DRAFT:
            return {
                "colour": "info",
                "status": _("Utkast"),
                "missing": _("Planen er ikke sendt til signering ennå."),
                "url": revision_url,
                "action": _("Gå gjennom og send til signering"),
            }
        if current.status == Status.AWAITING_SIGNATURES:
            signed = {s.role for s in current.signatures.all()}
            if Signature.Role.TRAINEE not in signed:
                return {
                    "colour": "warning",
                    "status": _("Venter på din signatur"),
                    "missing": _("Du har ikke signert planen ennå."),
                    "url": revision_url,
                    "action": _("Les og signer planen"),
                }
            return {
                "colour": "info",
                "status": _("Venter på lederens signatur"),
                "missing": _("Du har signert. Lederen signerer neste gang."),
                "url": revision_url,
                "action": _("Se planen"),
            }
        if current.status == Status.AWAITING_APPROVAL:
            return {
                "colour": "info",
                "status": _("Til godkjenning"),
                "missing": _("Begge har signert. Koordinatoren godkjenner planen."),
                "url": revision_url,
                "action": _("Se planen"),
            }
    if approved is not None:
        exp = summary["approved_expiry"]
        valid = approved.valid_until
        text = (
            _("Godkjent, gyldig til %(date)s.")
            % {"date": formats.date_format(valid, "SHORT_DATE_FORMAT")}
            if valid
            else _("Godkjent.")
        )
        expired = exp and exp["status"] == Status.EXPIRED
        return {
            "colour": "danger"
            if expired
            else ("warning" if exp and exp["expiring"] else "success"),
            "status": exp["status_label"] if exp else _("Godkjent"),
            "missing": (_("Planen er utløpt og må revideres.") if expired else text),
            "url": reverse("plans:revision", args=[approved.pk]),
            "action": _("Se planen"),
        }
    return {
        "colour": "neutral",
        "status": _("Ingen gjeldende plan"),
        "missing": "",
        "url": url,
        "action": _("Se planen"),
    }


def rotation_rows(trainee) -> list[dict]:
    """The trainee's open requests: where, status, place in the queue in words, expected start."""
    from lisplan.allocation.services import forecasts
    from lisplan.rotations.models import Status as RequestStatus
    from lisplan.rotations.queries import own_requests

    closed = (RequestStatus.DECLINED, RequestStatus.CANCELLED, RequestStatus.COMPLETED)
    rows = [o for o in own_requests(trainee) if o.request.status not in closed]
    found = forecasts([o.request for o in rows])
    out = []
    for o in rows:
        r = o.request
        place = ""
        if o.queue_place:
            place = ngettext(
                "Du er nummer %(place)d av %(n)d i køen.",
                "Du er nummer %(place)d av %(n)d i køen.",
                o.queue_length,
            ) % {"place": o.queue_place, "n": o.queue_length}
        estimate = ""
        f = found.get(r.pk)
        if f and f["placed"]:
            if f["earliest"] and f["latest"] and f["earliest"] != f["latest"]:
                estimate = _("Trolig oppstart mellom %(a)s og %(b)s (anslag, ikke et tilbud).") % {
                    "a": _month(f["earliest"]),
                    "b": _month(f["latest"]),
                }
            else:
                estimate = _("Trolig oppstart %(a)s (anslag, ikke et tilbud).") % {
                    "a": _month(f["start"])
                }
        out.append(
            {
                "request": r,
                "status": r.get_status_display(),
                "place": place,
                "estimate": estimate,
                "url": reverse("rotations:request", args=[r.pk]),
            }
        )
    return out


def next_meetings(trainee, today: dt.date) -> dict:
    """The next supervision meeting and assessment panel from the newest education plan."""
    from lisplan.iup.models import Meeting

    kinds = (Meeting.Kind.SUPERVISION, Meeting.Kind.ASSESSMENT_PANEL)
    meetings = list(
        Meeting.objects.filter(
            revision__plan__trainee=trainee, date__gte=today, kind__in=kinds
        ).order_by("date", "time")
    )  # one trainee's coming meetings: a handful
    supervision, panel = (next((m for m in meetings if m.kind == k), None) for k in kinds)
    return {"supervision": supervision, "panel": panel}


def trainee_overview(user, trainee) -> dict:
    today = timezone.localdate()
    return {
        "plan": plan_status(user, trainee, today),
        "rotations": rotation_rows(trainee),
        "own_requests_url": reverse("rotations:own"),
        **next_meetings(trainee, today),
    }
