"""The allocation problem as typed values (format: docs/design allocation-format.md).

Months are integers (year * 12 + month - 1) so that period arithmetic is plain addition.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def month_index(text: str) -> int:
    """'2027-03' -> 2027 * 12 + 2; raises ValueError on anything else."""
    if len(text) != 7 or text[4] != "-":
        raise ValueError(text)
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        raise ValueError(text)
    return year * 12 + month - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def calendar_month(index: int) -> int:
    return index % 12 + 1


@dataclass(frozen=True)
class Span:
    """Inclusive months first..last."""

    first: int
    last: int

    def overlaps(self, other: Span) -> bool:
        return self.first <= other.last and other.first <= self.last


@dataclass(frozen=True)
class Arena:
    id: str
    institution: str
    capacity: int


@dataclass(frozen=True)
class Agreement:
    id: str
    sending: str
    receiving: str
    arena: str
    specialty: str
    duration_months: int
    capacity: int
    start_months: frozenset[int] = frozenset()
    prerequisites: tuple[str, ...] = ()
    valid_from: int | None = None
    valid_to: int | None = None

    def period(self, start: int) -> Span:
        return Span(start, start + self.duration_months - 1)


@dataclass(frozen=True)
class Request:
    id: str
    trainee: str
    agreements: tuple[str, ...]
    registered: str  # ISO date; compares correctly as text
    desired_start: int | None = None
    latest_end: int | None = None
    after: str | None = None


@dataclass(frozen=True)
class Trainee:
    id: str
    home: str
    specialty: str
    permanent: bool
    sending_rank: int | None = None
    approved_goals: frozenset[str] = frozenset()
    expected_goals: dict[str, int] = field(default_factory=dict)
    unavailable: tuple[Span, ...] = ()
    requests: tuple[str, ...] = ()


@dataclass(frozen=True)
class Occupied:
    agreement: str
    trainee: str
    span: Span


@dataclass
class Instance:
    start_month: int
    horizon_months: int
    max_delay_months: int
    arenas: dict[str, Arena]
    agreements: dict[str, Agreement]
    trainees: dict[str, Trainee]
    requests: dict[str, Request]
    occupied: tuple[Occupied, ...] = ()

    @property
    def end_month(self) -> int:
        return self.start_month + self.horizon_months - 1

    def earliest_start(self, request: Request) -> int:
        if request.desired_start is None:
            return self.start_month
        return max(request.desired_start, self.start_month)


@dataclass(frozen=True)
class Assignment:
    request: str
    trainee: str
    agreement: str
    start: int


@dataclass(frozen=True)
class Unassigned:
    request: str
    trainee: str
    reason: str


@dataclass
class Plan:
    assignments: dict[str, Assignment] = field(default_factory=dict)
    unassigned: dict[str, Unassigned] = field(default_factory=dict)

    def wait(self, instance: Instance, request_id: str) -> int:
        start = self.assignments[request_id].start
        return start - instance.earliest_start(instance.requests[request_id])
