"""The published priority order: queue places by seniority, filled by the sending trust."""

from __future__ import annotations

from collections import defaultdict, deque

from .instance import Instance, Request


def priority_order(inst: Instance) -> list[str]:
    """Request ids, first priority first (allocation-format.md, 'Priority')."""
    places = sorted(inst.requests.values(), key=lambda r: (r.registered, r.id))
    own: dict[str, list[Request]] = defaultdict(list)
    for request in places:
        own[_home(inst, request)].append(request)
    queues = {
        home: deque(sorted(requests, key=lambda r: _within_trust(inst, r)))
        for home, requests in own.items()
    }
    return [queues[_home(inst, place)].popleft().id for place in places]


def _home(inst: Instance, request: Request) -> str:
    return inst.trainees[request.trainee].home


def _within_trust(inst: Instance, request: Request) -> tuple:
    rank = inst.trainees[request.trainee].sending_rank
    return (rank is None, rank or 0, request.registered, request.id)
