"""A small server-rendered SVG line chart of one indicator over the last harvests (no chart
JavaScript). The page shows the same numbers as a table beside it (the text alternative)."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 360, 150, 44, 12, 12, 28


def line_svg(
    points: list[tuple[str, float | None]], title: str, description: str, percent: bool = False
) -> str:
    """`points`: (label, value or None) oldest first."""
    values = [v for _l, v in points if v is not None]
    top = max(values, default=0) * (100 if percent else 1)
    top = 1 if top <= 0 else top * 1.15
    n = max(len(points), 1)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (inner_w * (i + 0.5) / n)

    def y(v: float) -> float:
        v = v * (100 if percent else 1)
        return TOP + inner_h - inner_h * v / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="t d" class="lp-trend">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
        f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - RIGHT}" '
        f'y2="{TOP + inner_h}" stroke="#68707c" stroke-width="1"/>',
    ]
    for frac in (0, 0.5, 1):
        value = top * frac
        ypos = TOP + inner_h - inner_h * frac
        label = f"{value:.0f}" if top >= 10 else f"{value:.1f}".replace(".", ",")
        parts.append(
            f'<text x="{LEFT - 6}" y="{ypos + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#1e2b3c">{label}</text>'
        )
        if frac:
            parts.append(
                f'<line x1="{LEFT}" y1="{ypos:.1f}" x2="{WIDTH - RIGHT}" '
                f'y2="{ypos:.1f}" stroke="#d2d6dc" stroke-width="1"/>'
            )
    coords = [(x(i), y(v)) for i, (_l, v) in enumerate(points) if v is not None]
    if len(coords) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{cx:.1f},{cy:.1f}" for i, (cx, cy) in enumerate(coords)
        )
        parts.append(f'<path d="{path}" fill="none" stroke="#0062ba" stroke-width="2"/>')
    for cx, cy in coords:
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="#0062ba"/>')
    for i, (label, _v) in enumerate(points):
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
            f'font-size="11" fill="#1e2b3c">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
