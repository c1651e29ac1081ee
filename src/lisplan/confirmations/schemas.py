"""Schemas of the service-confirmation endpoints (docs/api.md «Service confirmations»).

One resource per version, as for plan revisions. Field names are the contract; add, never
rename. The snapshot is the service as the ledger counted it when the coordinator issued the
version (months and days as whole numbers, `fte_days` the exact full-time days)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from lisplan.api.params import MAX_ID, LongText
from lisplan.confirmations.models import Status

STATUSES = [s.value for s in Status]


# --- input ------------------------------------------------------------------------------------


class ServiceConfirmationCreateIn(Schema):
    employment: int = Field(ge=1, le=MAX_ID, description="Ansettelsen bekreftelsen gjelder (id)")
    note: LongText = Field("", description="Merknad til koordinatoren, valgfri")


class ServiceConfirmationActionIn(Schema):
    version: int | None = Field(
        None, ge=1, le=MAX_ID, description="Valgfri: versjonen du så; 409 hvis den er endret"
    )


class ServiceConfirmationCommentIn(ServiceConfirmationActionIn):
    comment: LongText = Field(description="Begrunnelsen (påkrevd)")


# --- output -----------------------------------------------------------------------------------


class ServiceAmountOut(Schema):
    months: int
    days: int
    fte_days: str = Field(description="Dager i full stilling, eksakt (to desimaler)")


class ServiceDurationOut(Schema):
    months: int
    days: int


class ServiceConfirmationPeriodOut(Schema):
    label: str = Field(description="Tjenestested")
    category: str = Field(
        description="Hva tjenesten regnes som i progresjonsregisteret: specialty, "
        "other_specialty, lis1, open_practice, other_gp, institution, community_medicine, "
        "clinical"
    )
    start: dt.date | None
    end: dt.date | None
    duration: ServiceDurationOut | None = Field(description="Kalendervarighet")
    service: ServiceAmountOut = Field(description="Tjeneste etter stillingsprosent")
    leave_deducted: ServiceAmountOut = Field(description="Permisjon som ikke teller")
    over_cap: ServiceAmountOut = Field(description="Over et tak for hva som kan telle")
    counted: ServiceAmountOut = Field(description="Tjenestetid som teller")


class ServiceConfirmationLeaveOut(Schema):
    kind: str = Field(description="parental, sick, education, unpaid eller other")
    start: dt.date
    end: dt.date
    percent: int
    counts: bool = Field(description="Om permisjonen teller som tjeneste (§ 31)")


class ServiceConfirmationTraineeOut(Schema):
    name: str
    hpr_number: str


class ServiceConfirmationSpecialtyOut(Schema):
    code: str
    name: str


class ServiceConfirmationSnapshotOut(Schema):
    as_of: dt.date = Field(description="Dagen tjenesten ble talt (utstedelsen)")
    trainee: ServiceConfirmationTraineeOut
    employer: str
    arena: str
    specialty: ServiceConfirmationSpecialtyOut
    programme: str = Field(description="lis eller alis")
    scheme: str = Field(description="new (ny) eller old (gammel ordning)")
    permanent: bool
    position_percent: int
    employee_number: str
    start: dt.date
    end: dt.date | None
    counted_to: dt.date | None = Field(description="Talt til og med")
    duration: ServiceDurationOut
    category: str
    periods: list[ServiceConfirmationPeriodOut]
    leave: list[ServiceConfirmationLeaveOut]
    service: ServiceAmountOut
    leave_deducted: ServiceAmountOut
    over_cap: ServiceAmountOut
    counted: ServiceAmountOut


class ServiceConfirmationSignatureOut(Schema):
    role: str = Field(description="leader")
    user: int | None = Field(alias="user_id")
    name: str
    signed_at: dt.datetime


class ServiceConfirmationOut(Schema):
    id: int
    confirmation: int = Field(alias="confirmation_id", description="Seriens id (ansettelsens)")
    number: int = Field(description="Versjonsnummer i serien: 1, 2, …")
    trainee: int = Field(alias="confirmation.trainee_id")
    employment: int | None = Field(alias="confirmation.employment_id")
    status: str = Field(description=", ".join(STATUSES))
    version: int = Field(description="Optimistisk lås: send med ved handlinger")
    requested_by: str | None
    requested_at: dt.datetime
    request_note: str
    issued_by: str | None
    issued_at: dt.datetime | None
    comment: str = Field(description="Begrunnelse ved retur eller avslag")
    signed_at: dt.datetime | None
    signatures: list[ServiceConfirmationSignatureOut]
    snapshot: ServiceConfirmationSnapshotOut | None = Field(
        description="Tjenesten slik den ble talt ved utstedelse; null før utstedelse"
    )
    pdf: str | None = Field(description="Adressen til PDF-en; null før utstedelse")

    @staticmethod
    def resolve_requested_by(obj) -> str | None:
        user = obj.requested_by
        return (user.get_full_name() or user.username) if user else None

    @staticmethod
    def resolve_issued_by(obj) -> str | None:
        user = obj.issued_by
        return (user.get_full_name() or user.username) if user else None

    @staticmethod
    def resolve_signatures(obj) -> list:
        return list(obj.signatures.all())

    @staticmethod
    def resolve_pdf(obj) -> str | None:
        if obj.snapshot is None:
            return None
        return f"/api/v1/trainees/{obj.confirmation.trainee_id}/service-confirmations/{obj.pk}/pdf"
