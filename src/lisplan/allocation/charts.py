"""The plan per agreement and month: loads from a run's instance and result, and a small
server-rendered SVG bar chart per agreement (no chart JavaScript; the page shows the same
numbers as a table for screen readers and for copying)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from lisplan.allocation.instance import month_index, month_text

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 110, 28, 20, 8


@dataclass
class AgreementLoad:
    id: str
    capacity: int
    duration: int
    first: int  # month index of the first month shown
    occupied: list[int]  # per month: periods already agreed or running
    proposed: list[int]  # per month: periods the plan proposes

    @property
    def months(self) -> list[str]:
        return [month_text(self.first + i) for i in range(len(self.occupied))]

    @property
    def rows(self) -> list[tuple[str, int, int, int]]:
        """(month, already agreed, proposed, capacity) for the text alternative."""
        return [
            (m, o, p, self.capacity)
            for m, o, p in zip(self.months, self.occupied, self.proposed, strict=True)
        ]

    @property
    def peak(self) -> int:
        return max((o + p for o, p in zip(self.occupied, self.proposed, strict=True)), default=0)

    @property
    def proposed_starts(self) -> int:
        return self._starts

    _starts: int = 0


def loads(instance: dict, result: dict) -> dict[str, AgreementLoad]:
    """Per agreement id, month by month over the horizon."""
    first = month_index(instance["start_month"])
    n = instance["horizon_months"]
    out = {
        a["id"]: AgreementLoad(
            a["id"], a["capacity"], a["duration_months"], first, [0] * n, [0] * n
        )
        for a in instance["agreements"]
    }

    def add(row: list[int], start: int, last: int) -> None:
        for m in range(max(start, first), min(last, first + n - 1) + 1):
            row[m - first] += 1

    for occ in instance.get("occupied", []):
        if occ["agreement"] in out:
            add(out[occ["agreement"]].occupied, month_index(occ["from"]), month_index(occ["to"]))
    for a in result.get("assignments", []):
        load = out.get(a["agreement"])
        if load is not None:
            start = month_index(a["start"])
            add(load.proposed, start, start + load.duration - 1)
            load._starts += 1
    return out


def svg(load: AgreementLoad, title: str, labels: dict[str, str]) -> str:
    """A stacked bar per month (agreed, proposed) under the capacity line."""
    n = len(load.occupied)
    top = max(load.capacity, load.peak, 1)
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    step = plot_w / max(n, 1)

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    parts = [
        f'<svg class="lp-alloc-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - 4}" y2="{y(0):.1f}" '
        f'stroke="currentColor" stroke-width="1"/>',
        f'<text x="{LEFT - 4}" y="{y(top) + 4:.1f}" text-anchor="end" font-size="10" '
        f'fill="currentColor">{top}</text>',
        f'<text x="{LEFT - 4}" y="{y(0):.1f}" text-anchor="end" font-size="10" '
        f'fill="currentColor">0</text>',
    ]
    for i, (o, p) in enumerate(zip(load.occupied, load.proposed, strict=True)):
        x = LEFT + i * step + 0.5
        w = max(step - 1, 1)
        if o:
            parts.append(
                f'<rect class="lp-alloc-occupied" x="{x:.1f}" y="{y(o):.1f}" '
                f'width="{w:.1f}" height="{y(0) - y(o):.1f}"/>'
            )
        if p:
            parts.append(
                f'<rect class="lp-alloc-proposed" x="{x:.1f}" y="{y(o + p):.1f}" '
                f'width="{w:.1f}" height="{y(o) - y(o + p):.1f}"/>'
            )
        month = load.first + i
        if month % 12 == 0 or (i == 0 and month % 12 < 9):  # Januaries, and a first month
            # that does not crowd the next January's label
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 6}" font-size="10" '
                f'fill="currentColor">{escape(month_text(month))}</text>'
            )
    parts.append(
        f'<line class="lp-alloc-capacity" x1="{LEFT}" y1="{y(load.capacity):.1f}" '
        f'x2="{WIDTH - 4}" y2="{y(load.capacity):.1f}" stroke-width="2" '
        f'stroke-dasharray="6 3"><title>{escape(labels["capacity"])}</title></line>'
    )
    parts.append("</svg>")
    return "".join(parts)
