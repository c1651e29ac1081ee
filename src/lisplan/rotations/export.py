"""Registrations for receiving trusts outside the system (seed 003, c: cross-region).

A trust in another region, or any receiving institution without a local coordinator in lisplan,
cannot see the register. The sending local coordinator sends it the registration as the form it
asks for — `render_pdf` (WeasyPrint, A4) — or as a JSON record (`export_record`), and records its
answer when it comes back (`record_answer`): accepted with an agreed start, or declined, with a
comment. The answer goes through `rotations.services` (the same steps, audit events and
notifications as when the receiving coordinator acts in lisplan) plus one audit event
`register.external_answer` holding the answer as received.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lisplan.accounts.access import check
from lisplan.audit.services import record
from lisplan.rotations import queries, services
from lisplan.rotations.models import RotationRequest, Status
from lisplan.rotations.services import RotationError

FORMAT = "lisplan.rotation-registration/1"
# Statuses in which a registration can be sent, or sent again after a change.
EXPORTABLE = (Status.WISH, Status.FORWARDED, Status.OFFERED, Status.ACCEPTED)
ANSWERABLE = (Status.FORWARDED, Status.OFFERED)


def is_external(request: RotationRequest) -> bool:
    """The receiving institution has no active local coordinator in lisplan, so nobody there
    can take the offer steps: the sending coordinator records them."""
    from lisplan.accounts.models import Role, RoleAssignment

    return (
        not RoleAssignment.objects.active()
        .filter(role=Role.LOCAL_COORDINATOR, institution_id=request.receiving_id)
        .exists()
    )


def _employment(request: RotationRequest):
    return (
        request.trainee.employments.not_ended()
        .filter(institution_id=request.sending_id, specialty_id=request.specialty_id)
        .select_related("arena__leader", "arena__parent__leader")
        .order_by("-permanent", "-start")
        .first()
    )


def _leader(employment):
    arena = getattr(employment, "arena", None)
    while arena is not None:
        if arena.leader_id:
            return arena.leader
        arena = arena.parent
    return None


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"name": user.get_full_name() or user.username, "email": user.email or None}


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def export_record(request: RotationRequest, *, exported_by=None) -> dict[str, Any]:
    """The registration as a plain JSON-ready dict: who, from where, what, when, and under
    which agreement — what the receiving trust's form asks for."""
    trainee = request.trainee
    employment = _employment(request)
    agreement = request.agreement
    check = queries.eligibility([request]).get(request.pk)
    goals = list(agreement.goals.order_by("code").values_list("code", "text")) if agreement else []
    return {
        "format": FORMAT,
        "id": request.pk,
        "exported_at": timezone.localtime().isoformat(timespec="seconds"),
        "exported_by": _person(exported_by),
        "status": request.status,
        "trainee": {
            "name": trainee.full_name,
            "first_name": trainee.first_name,
            "last_name": trainee.last_name,
            "hpr_number": trainee.hpr_number,
            "email": trainee.email or None,
            "phone": trainee.phone or None,
        },
        "employment": {
            "employer": request.sending.name,
            "employer_code": request.sending.code,
            "employer_org_number": request.sending.org_number or None,
            "employee_number": getattr(employment, "employee_number", "") or None,
            "department": employment.arena.name if employment and employment.arena else None,
            "permanent": bool(check and check.permanent),
            "position_percent": getattr(employment, "position_percent", None),
            "start": _day(getattr(employment, "start", None)),
            "end": _day(getattr(employment, "end", None)),
        },
        "leader": _person(_leader(employment)),
        "specialty": {"code": request.specialty.code, "name": request.specialty.name},
        "receiving": {
            "name": request.receiving.name,
            "code": request.receiving.code,
            "department": request.arena.name if request.arena_id else None,
        },
        "agreement": {
            "id": agreement.pk,
            "reference": agreement.reference or None,
            "duration_months": agreement.duration_months,
            "capacity": agreement.capacity,
            "semester_quota": agreement.semester_quota,
            "quota_semester": agreement.quota_semester,
            "valid_from": _day(agreement.valid_from),
            "valid_to": _day(agreement.valid_to),
            "goals": [{"code": c, "text": t} for c, t in goals],
        }
        if agreement
        else None,
        "period": {
            "desired_start": _day(request.desired_start),
            "agreed_start": _day(request.agreed_start),
            "duration_months": request.duration_months,
            "end": _day(request.end),
            "refunded_by_employer": request.refunded_by_employer,
        },
        "register": {
            "need_on": _day(request.need_on),
            "wish_on": _day(request.wish_on),
            "registered_on": _day(request.forwarded_on),
            "sending_rank": request.sending_rank,
        },
        "comment": request.comment or None,
    }


def _css_string(text: str) -> str:
    return "".join(ch for ch in text if ch not in '"\\<>\n')


def render_html(request: RotationRequest, *, exported_by=None) -> str:
    data = export_record(request, exported_by=exported_by)
    return render_to_string(
        "rotations/export_pdf.html",
        {
            "r": data,
            "obj": request,
            "printed_at": timezone.localtime(),
            "footer_title": _css_string(
                _("Innmelding til spesialiseringsperiode – %(name)s")
                % {"name": request.trainee.full_name}
            ),
        },
    )


def render_pdf(request: RotationRequest, *, exported_by=None) -> bytes:
    from lisplan.documents.pdf import write_pdf

    return write_pdf(render_html(request, exported_by=exported_by))


def filename(request: RotationRequest, ext: str) -> str:
    name = slugify(request.trainee.full_name) or "lege"
    return f"innmelding-{name}-{request.receiving.code.lower()}.{ext}"


@transaction.atomic
def record_answer(
    *,
    actor,
    request: RotationRequest,
    accepted: bool,
    start: dt.date | None = None,
    comment: str = "",
) -> RotationRequest:
    """The receiving trust's answer, recorded by the sending coordinator: accepted (offered →
    accepted → start agreed when `start` is given; only permanent employees) or declined
    (the registration is cancelled with the trust's comment)."""
    check(actor, "register.forward", request)
    request = RotationRequest.objects.select_related("receiving").get(pk=request.pk)
    if not is_external(request):
        raise RotationError(
            _("%(receiving)s bruker lisplan og svarer selv.") % {"receiving": request.receiving},
            "not_external",
            "receiving",
        )
    if request.status not in ANSWERABLE:
        raise RotationError(
            _(
                "Svar kan bare registreres når ønsket er sendt til mottakende "
                "foretak (status nå: «%(status)s»)."
            )
            % {"status": request.get_status_display()},
            "invalid_state",
            "status",
        )
    comment = comment.strip()
    said = _("Svar fra %(receiving)s") % {"receiving": request.receiving}
    text = f"{said}: {comment}" if comment else said
    if accepted:
        if request.status == Status.FORWARDED:
            request = services.request_offer.unchecked(actor=actor, request=request, comment=text)
        request = services.request_answer.unchecked(
            actor=actor, request=request, accept=True, comment=text
        )
        if start is not None:
            request = services.request_agree_start.unchecked(
                actor=actor, request=request, start=start
            )
    else:
        request = services.request_cancel.unchecked(
            actor=actor, request=request, reason=_("Avslått. %(text)s") % {"text": text}
        )
    record(
        actor=actor,
        action="register.external_answer",
        obj=request,
        trainee_id=request.trainee_id,
        changes={
            "answer": [None, "accepted" if accepted else "declined"],
            "start": [None, _day(start)],
            "comment": [None, comment],
        },
    )
    return request
