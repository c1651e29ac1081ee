"""Server-rendered SVG charts for a dimensioning run (no chart JavaScript; each page shows the
same numbers as a table beside the chart): supply and demand over time with the P10–P90 band,
the age pyramid, the waterfall from base to target year and the tornado of the parameters that
move the required intake most. Numbers in Norwegian format."""

from __future__ import annotations

from html import escape

from lisplan.ui.numbers import number

WIDTH = 720


def nb(value: float, places: int = 1) -> str:
    """1 234,5 in Norwegian (the shared `lisplan.ui.numbers`), with a real minus sign."""
    return number(value, places).replace("-", "−")


def _open(height: int, title: str, css: str) -> list[str]:
    return [
        f'<svg class="lp-dim-chart {css}" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = int(lo // step) * step
    out, v = [], first
    while v <= hi + 1e-9:
        if v >= lo - 1e-9:
            out.append(v)
        v += step
    return out


def supply_demand(
    years: list[int], series: dict[str, list[float | None]], title: str, labels: dict[str, str]
) -> str:
    """Lines for supply and demand (FTE), with the P10–P90 bands where given
    (`supply_p10`/`supply_p90`, `demand_p10`/`demand_p90`)."""
    height, left, right, top, bottom = 260, 56, 12, 10, 26
    values = [v for vs in series.values() for v in vs if v is not None]
    lo, hi = min(values + [0.0]), max(values + [1.0])
    pad = (hi - lo) * 0.05 or 1
    lo, hi = (lo - pad if lo < 0 else 0.0), hi + pad
    n = len(years)
    pw, ph = WIDTH - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + pw * (i / max(n - 1, 1))

    def y(v: float) -> float:
        return top + ph - ph * (v - lo) / (hi - lo)

    parts = _open(height, title, "lp-dim-lines")
    for t in _ticks(lo, hi):
        parts.append(
            f'<line class="lp-dim-grid" x1="{left}" x2="{WIDTH - right}" '
            f'y1="{y(t):.1f}" y2="{y(t):.1f}"/>'
            f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="currentColor">{nb(t, 0)}</text>'
        )
    for i, year in enumerate(years):
        if n <= 12 or i % max(1, n // 8) == 0 or i == n - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle" '
                f'font-size="11" fill="currentColor">{year}</text>'
            )
    for name in ("demand", "supply"):
        p10, p90 = series.get(f"{name}_p10"), series.get(f"{name}_p90")
        if p10 and p90 and all(v is not None for v in p10 + p90):
            pts = [f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(p90)] + [
                f"{x(i):.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(p10)))
            ]
            parts.append(
                f'<polygon class="lp-dim-band-{name}" points="{" ".join(pts)}">'
                f"<title>{escape(labels[name + '_band'])}</title></polygon>"
            )
    for name in ("demand", "supply"):
        vs = series.get(name) or []
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vs) if v is not None)
        parts.append(
            f'<polyline class="lp-dim-line-{name}" fill="none" stroke-width="2.5" '
            f'points="{pts}"><title>{escape(labels[name])}</title></polyline>'
        )
    parts.append("</svg>")
    return "".join(parts)


def pyramid(bands: list[tuple[str, float, float]], title: str, labels: dict[str, str]) -> str:
    """bands: (age label, women, men), youngest first; women to the left, men to the right."""
    row, top = 18, 20
    height = top + row * len(bands) + 8
    mid, label_w = WIDTH / 2, 60
    half = mid - label_w / 2 - 10
    peak = max([max(k, m) for _a, k, m in bands] + [1.0])
    parts = _open(height, title, "lp-dim-pyramid")
    parts.append(
        f'<text x="{mid - label_w / 2 - 4}" y="13" text-anchor="end" font-size="12" '
        f'fill="currentColor">{escape(labels["K"])}</text>'
        f'<text x="{mid + label_w / 2 + 4}" y="13" font-size="12" '
        f'fill="currentColor">{escape(labels["M"])}</text>'
    )
    for i, (age, women, men) in enumerate(reversed(bands)):
        yy = top + i * row
        wk, wm = half * women / peak, half * men / peak
        parts.append(
            f'<rect class="lp-dim-women" x="{mid - label_w / 2 - wk:.1f}" y="{yy}" '
            f'width="{wk:.1f}" height="{row - 3}"><title>{escape(age)}: {nb(women)}</title></rect>'
            f'<rect class="lp-dim-men" x="{mid + label_w / 2:.1f}" y="{yy}" width="{wm:.1f}" '
            f'height="{row - 3}"><title>{escape(age)}: {nb(men)}</title></rect>'
            f'<text x="{mid}" y="{yy + row - 6}" text-anchor="middle" font-size="11" '
            f'fill="currentColor">{escape(age)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def waterfall(steps: list[tuple[str, float, str]], title: str) -> str:
    """steps: (label, value, kind) with kind «total» (a bar from zero) or «delta» (a floating
    bar from the running total)."""
    height, left, top, bottom = 240, 56, 10, 40
    running, spans = 0.0, []
    for _label, value, kind in steps:
        if kind == "total":
            spans.append((0.0, value))
            running = value
        else:
            spans.append((running, running + value))
            running += value
    values = [v for s in spans for v in s] + [0.0]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.08 or 1
    lo, hi = lo - pad, hi + pad
    pw, ph = WIDTH - left - 10, height - top - bottom
    step = pw / max(len(steps), 1)

    def y(v: float) -> float:
        return top + ph - ph * (v - lo) / (hi - lo)

    parts = _open(height, title, "lp-dim-waterfall")
    parts.append(
        f'<line class="lp-dim-zero" x1="{left}" x2="{WIDTH - 10}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>'
    )
    for t in _ticks(lo, hi):
        parts.append(
            f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="currentColor">{nb(t, 0)}</text>'
        )
    for i, ((label, value, kind), (a, b)) in enumerate(zip(steps, spans, strict=True)):
        x0 = left + i * step + step * 0.15
        css = "lp-dim-total" if kind == "total" else "lp-dim-up" if value >= 0 else "lp-dim-down"
        top_v, bot_v = max(a, b), min(a, b)
        parts.append(
            f'<rect class="{css}" x="{x0:.1f}" y="{y(top_v):.1f}" '
            f'width="{step * 0.7:.1f}" height="{max(y(bot_v) - y(top_v), 1):.1f}">'
            f"<title>{escape(label)}: {nb(value)}</title></rect>"
            f'<text x="{x0 + step * 0.35:.1f}" y="{y(top_v) - 4:.1f}" '
            f'text-anchor="middle" font-size="11" fill="currentColor">{nb(value)}</text>'
            f'<text x="{x0 + step * 0.35:.1f}" y="{height - 22}" text-anchor="middle" '
            f'font-size="11" fill="currentColor">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def tornado(base: float, rows: list[tuple[str, float, float]], title: str) -> str:
    """rows: (parameter label, intake at low value, intake at high value), widest first,
    around the required intake `base` (a vertical line)."""
    row, top, left = 26, 8, 230
    height = top + row * len(rows) + 24
    values = [base] + [v for _l, a, b in rows for v in (a, b)]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.1 or 1
    lo, hi = max(0.0, lo - pad), hi + pad
    pw = WIDTH - left - 16

    def x(v: float) -> float:
        return left + pw * (v - lo) / (hi - lo)

    parts = _open(height, title, "lp-dim-tornado")
    for i, (label, a, b) in enumerate(rows):
        yy = top + i * row
        parts.append(
            f'<text x="{left - 8}" y="{yy + row - 10}" text-anchor="end" font-size="12" '
            f'fill="currentColor">{escape(label)}</text>'
        )
        for value, css in ((a, "lp-dim-low"), (b, "lp-dim-high")):
            x0, x1 = sorted((x(base), x(value)))
            parts.append(
                f'<rect class="{css}" x="{x0:.1f}" y="{yy + 3}" '
                f'width="{max(x1 - x0, 1):.1f}" height="{row - 8}">'
                f"<title>{escape(label)}: {nb(value)}</title></rect>"
            )
    parts.append(
        f'<line class="lp-dim-base" x1="{x(base):.1f}" x2="{x(base):.1f}" y1="{top}" '
        f'y2="{height - 20}" stroke-width="2"/>'
        f'<text x="{x(base):.1f}" y="{height - 6}" text-anchor="middle" font-size="11" '
        f'fill="currentColor">{nb(base)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
