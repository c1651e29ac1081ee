"""JSON -> Instance, reporting every format violation with its JSON path."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .instance import Agreement, Arena, Instance, Occupied, Request, Span, Trainee, month_index

FORMAT = "lisplan-allocation/1"
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_MISSING = object()


@dataclass(frozen=True)
class FormatError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InvalidFile(Exception):
    def __init__(self, errors: list[FormatError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


class Reader:
    """Typed field access on JSON objects that records errors instead of raising."""

    def __init__(self) -> None:
        self.errors: list[FormatError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(FormatError(path, message))

    def obj(self, value: Any, path: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.error(path, f"expected an object, got {_kind(value)}")
        return None

    def get(self, obj: dict, key: str, path: str, required: bool) -> Any:
        if key in obj:
            return obj[key]
        if required:
            self.error(f"{path}.{key}", "required field is missing")
        return _MISSING

    def str(self, obj: dict, key: str, path: str, required: bool = True) -> str | None:
        value = self.get(obj, key, path, required)
        if value is _MISSING or (value is None and not required):
            return None
        if isinstance(value, str) and value:
            return value
        self.error(f"{path}.{key}", f"expected a non-empty string, got {_kind(value)}")
        return None

    def int(
        self,
        obj: dict,
        key: str,
        path: str,
        required: bool = True,
        minimum: int = 0,
        maximum: int = 1_000_000,
    ) -> int | None:
        value = self.get(obj, key, path, required)
        if value is _MISSING or (value is None and not required):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum:
            return value
        self.error(f"{path}.{key}", f"expected an integer {minimum}..{maximum}, got {value!r}")
        return None

    def bool(self, obj: dict, key: str, path: str) -> bool | None:
        value = self.get(obj, key, path, True)
        if value is _MISSING:
            return None
        if isinstance(value, bool):
            return value
        self.error(f"{path}.{key}", f"expected true or false, got {value!r}")
        return None

    def month(self, obj: dict, key: str, path: str, required: bool = True) -> int | None:
        value = self.get(obj, key, path, required)
        if value is _MISSING or (value is None and not required):
            return None
        return self.month_value(value, f"{path}.{key}")

    def month_value(self, value: Any, path: str) -> int | None:
        try:
            return month_index(value)
        except (TypeError, ValueError):
            self.error(path, f'expected a month "YYYY-MM", got {value!r}')
            return None

    def date(self, obj: dict, key: str, path: str) -> str | None:
        value = self.get(obj, key, path, True)
        if value is _MISSING:
            return None
        if isinstance(value, str) and _DATE.match(value):
            return value
        self.error(f"{path}.{key}", f'expected a date "YYYY-MM-DD", got {value!r}')
        return None

    def list(self, obj: dict, key: str, path: str, required: bool = True) -> list:
        value = self.get(obj, key, path, required)
        if value is _MISSING or (value is None and not required):
            return []
        if isinstance(value, list):
            return value
        self.error(f"{path}.{key}", f"expected a list, got {_kind(value)}")
        return []

    def strings(self, obj: dict, key: str, path: str, required: bool = True) -> list[str]:
        items = self.list(obj, key, path, required)
        good = []
        for i, item in enumerate(items):
            if isinstance(item, str) and item:
                good.append(item)
            else:
                self.error(f"{path}.{key}[{i}]", f"expected a non-empty string, got {item!r}")
        return good


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def load_instance(path: str | Path) -> Instance:
    """Read and parse an instance file; raises InvalidFile (never a traceback-worthy error)."""
    return parse_instance(read_json(path))


def read_json(path: str | Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidFile([FormatError("$", f"cannot read {path}: {exc}")]) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InvalidFile([FormatError("$", f"not valid JSON ({exc.msg} at {where})")]) from exc


def parse_instance(data: Any) -> Instance:
    r = Reader()
    root = r.obj(data, "$")
    if root is None:
        raise InvalidFile(r.errors)
    if root.get("format") != FORMAT:
        r.error("$.format", f"expected {FORMAT!r}, got {root.get('format')!r}")
    start = r.month(root, "start_month", "$")
    horizon = r.int(root, "horizon_months", "$", minimum=1, maximum=600)
    delay = 0
    policy = root.get("policy")
    if policy is not None and r.obj(policy, "$.policy") is not None:
        delay = r.int(policy, "max_delay_months", "$.policy", required=False, maximum=600) or 0
    arena_list, agreement_list = r.list(root, "arenas", "$"), r.list(root, "agreements", "$")
    # References are checked against every id present, so that one bad agreement is
    # reported once, not again at each request that names it.
    arena_ids, agreement_ids = _ids(arena_list), _ids(agreement_list)
    arenas = _unique(
        r, [_arena(r, a, f"$.arenas[{i}]") for i, a in enumerate(arena_list)], "$.arenas"
    )
    agreements = _unique(
        r,
        [_agreement(r, a, f"$.agreements[{i}]", arena_ids) for i, a in enumerate(agreement_list)],
        "$.agreements",
    )
    trainees, requests = _people(r, r.list(root, "trainees", "$"), agreement_ids)
    occupied = [
        _occupied(r, o, f"$.occupied[{i}]", agreement_ids)
        for i, o in enumerate(r.list(root, "occupied", "$", required=False))
    ]
    if r.errors:
        raise InvalidFile(r.errors)
    assert start is not None and horizon is not None
    return Instance(
        start,
        horizon,
        delay,
        arenas,
        agreements,
        trainees,
        requests,
        tuple(o for o in occupied if o is not None),
    )


def _ids(items: list) -> set[str]:
    return {
        item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _unique(r: Reader, items: list, path: str) -> dict:
    result: dict = {}
    for i, item in enumerate(items):
        if item is None:
            continue
        if item.id in result:
            r.error(f"{path}[{i}].id", f"duplicate id {item.id!r}")
        result[item.id] = item
    return result


def _arena(r: Reader, data: Any, path: str) -> Arena | None:
    if (obj := r.obj(data, path)) is None:
        return None
    fields = (r.str(obj, "id", path), r.str(obj, "institution", path), r.int(obj, "capacity", path))
    return None if None in fields else Arena(*fields)


def _agreement(r: Reader, data: Any, path: str, arenas: set[str]) -> Agreement | None:
    if (obj := r.obj(data, path)) is None:
        return None
    n_errors = len(r.errors)
    ident = r.str(obj, "id", path)
    sending, receiving = r.str(obj, "sending", path), r.str(obj, "receiving", path)
    arena = r.str(obj, "arena", path)
    if arena is not None and arena not in arenas:
        r.error(f"{path}.arena", f"unknown arena {arena!r}")
    specialty = r.str(obj, "specialty", path)
    duration = r.int(obj, "duration_months", path, minimum=1, maximum=600)
    capacity = r.int(obj, "capacity", path)
    start_months = []
    for i, m in enumerate(r.list(obj, "start_months", path, required=False)):
        if isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12:
            start_months.append(m)
        else:
            r.error(f"{path}.start_months[{i}]", f"expected a calendar month 1-12, got {m!r}")
    prerequisites = r.strings(obj, "prerequisites", path, required=False)
    valid_from = r.month(obj, "valid_from", path, required=False)
    valid_to = r.month(obj, "valid_to", path, required=False)
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        r.error(f"{path}.valid_to", "valid_to is before valid_from")
    if len(r.errors) > n_errors:
        return None
    return Agreement(
        ident,
        sending,
        receiving,
        arena,
        specialty,
        duration,
        capacity,
        frozenset(start_months),
        tuple(prerequisites),
        valid_from,
        valid_to,
    )


def _span(r: Reader, data: Any, path: str) -> Span | None:
    if (obj := r.obj(data, path)) is None:
        return None
    first, last = r.month(obj, "from", path), r.month(obj, "to", path)
    if first is None or last is None:
        return None
    if last < first:
        r.error(f"{path}.to", "'to' is before 'from'")
        return None
    return Span(first, last)


def _occupied(r: Reader, data: Any, path: str, agreements: set[str]) -> Occupied | None:
    if (obj := r.obj(data, path)) is None:
        return None
    agreement, trainee = r.str(obj, "agreement", path), r.str(obj, "trainee", path)
    if agreement is not None and agreement not in agreements:
        r.error(f"{path}.agreement", f"unknown agreement {agreement!r}")
        return None
    span = _span(r, obj, path)
    if None in (agreement, trainee, span):
        return None
    return Occupied(agreement, trainee, span)


def _people(r: Reader, items: list, agreements: set[str]) -> tuple[dict, dict]:
    trainees: dict[str, Trainee] = {}
    requests: dict[str, Request] = {}
    paths: dict[str, str] = {}
    for i, data in enumerate(items):
        path = f"$.trainees[{i}]"
        trainee = _trainee(r, data, path, agreements, requests, paths)
        if trainee is None:
            continue
        if trainee.id in trainees:
            r.error(f"{path}.id", f"duplicate id {trainee.id!r}")
        trainees[trainee.id] = trainee
    _check_after(r, requests, paths)
    return trainees, requests


def _trainee(
    r: Reader, data: Any, path: str, agreements: set[str], requests: dict, paths: dict
) -> Trainee | None:
    if (obj := r.obj(data, path)) is None:
        return None
    n_errors = len(r.errors)
    ident = r.str(obj, "id", path)
    home, specialty = r.str(obj, "home", path), r.str(obj, "specialty", path)
    permanent = r.bool(obj, "permanent", path)
    rank = r.int(obj, "sending_rank", path, required=False, minimum=1)
    approved = r.strings(obj, "approved_goals", path, required=False)
    expected: dict[str, int] = {}
    goals = obj.get("expected_goals")
    if goals is not None and r.obj(goals, f"{path}.expected_goals") is not None:
        for goal, month in goals.items():
            value = r.month_value(month, f"{path}.expected_goals.{goal}")
            if value is not None:
                expected[goal] = value
    unavailable = [
        _span(r, u, f"{path}.unavailable[{j}]")
        for j, u in enumerate(r.list(obj, "unavailable", path, required=False))
    ]
    own = []
    for j, item in enumerate(r.list(obj, "requests", path)):
        request = _request(r, item, f"{path}.requests[{j}]", ident, agreements)
        if request is None:
            continue
        if request.id in requests:
            r.error(f"{path}.requests[{j}].id", f"duplicate request id {request.id!r}")
            continue
        requests[request.id] = request
        paths[request.id] = f"{path}.requests[{j}]"
        own.append(request.id)
    if len(r.errors) > n_errors:
        return None
    return Trainee(
        ident,
        home,
        specialty,
        permanent,
        rank,
        frozenset(approved),
        expected,
        tuple(u for u in unavailable if u is not None),
        tuple(own),
    )


def _request(
    r: Reader, data: Any, path: str, trainee: str | None, agreements: set[str]
) -> Request | None:
    if (obj := r.obj(data, path)) is None:
        return None
    n_errors = len(r.errors)
    ident = r.str(obj, "id", path)
    accepted = r.strings(obj, "agreements", path)
    if not accepted and f"{path}.agreements" not in {e.path for e in r.errors}:
        r.error(f"{path}.agreements", "at least one agreement is required")
    for k, agreement in enumerate(accepted):
        if agreement not in agreements:
            r.error(f"{path}.agreements[{k}]", f"unknown agreement {agreement!r}")
    registered = r.date(obj, "registered", path)
    desired = r.month(obj, "desired_start", path, required=False)
    latest_end = r.month(obj, "latest_end", path, required=False)
    after = r.str(obj, "after", path, required=False)
    if len(r.errors) > n_errors or trainee is None:
        return None
    return Request(
        ident, trainee, tuple(dict.fromkeys(accepted)), registered, desired, latest_end, after
    )


def _check_after(r: Reader, requests: dict[str, Request], paths: dict[str, str]) -> None:
    chained = []
    for request in requests.values():
        if request.after is None:
            continue
        # bandit B113 misreads this dict of rotation requests as the HTTP library
        other = requests.get(request.after)  # nosec B113
        if other is None or other.trainee != request.trainee:
            r.error(
                f"{paths[request.id]}.after",
                f"{request.after!r} is not another request of the same trainee",
            )
        else:
            chained.append(request)
    for request in chained:
        seen = {request.id}
        current = request
        while current.after is not None and current.after in requests:
            if current.after in seen:
                r.error(f"{paths[request.id]}.after", "'after' requests form a cycle")
                break
            seen.add(current.after)
            current = requests[current.after]
