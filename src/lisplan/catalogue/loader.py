"""Load the shipped catalogue (`catalogue/data/`) into the database.

`load_catalogue()` is idempotent: rows are matched on their natural key (specialty and topic
code; goal code + valid_from), created or updated, and unchanged rows are left alone. All in one
transaction. Codes that have goals imported from an official file (`demo=False`) are left alone
by the demo sample.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from django.db import models, transaction
from django.utils.translation import gettext as _

from lisplan.catalogue.models import LearningGoal, Specialty, TopicArea
from lisplan.catalogue.tables import TableError, read_table
from lisplan.catalogue.validation import (
    CatalogueDataError,
    Conventions,
    GoalContext,
    GoalRow,
    RowError,
    parse_conventions,
    parse_specialties,
    parse_topic_areas,
    validate_goal_rows,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_SOURCE = "lisplan demodata: illustrativ tekst, ikke Helsedirektoratets formulering"


def _yaml(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


@cache
def conventions(data_dir: Path = DATA_DIR) -> Conventions:
    """How goal codes are built (`goal_codes.yaml`); the importer uses the same rules."""
    return parse_conventions(_yaml(data_dir / "goal_codes.yaml"))


def read_catalogue(data_dir: Path = DATA_DIR):
    """Parse and validate all data files; raise CatalogueDataError on any error. No DB."""
    specialties = parse_specialties(_yaml(data_dir / "specialties.yaml"))
    topics = parse_topic_areas(_yaml(data_dir / "fkm_topic_areas.yaml"))
    conv = parse_conventions(_yaml(data_dir / "goal_codes.yaml"))
    codes = {s.code: s for s in specialties}
    host_errors = [
        RowError(
            0,
            group,
            _("Vertsspesialiteten %(host)s mangler eller er ikke i gruppen.") % {"host": host},
        )
        for group, host in conv.part2_hosts.items()
        if host not in codes or codes[host].part2_group != group
    ]
    if host_errors:
        raise CatalogueDataError(host_errors, "goal_codes.yaml")
    goals_file = data_dir / "learning_goals_sample.csv"
    try:
        table = read_table(goals_file)
    except TableError as exc:
        raise CatalogueDataError([RowError(exc.line, "", exc.message)], goals_file.name) from exc
    ctx = GoalContext.build(specialties, topics, conv)
    goals, errors = validate_goal_rows(table.rows, ctx, with_demo=True)
    errors += [
        RowError(g.line, "demo", _("Eksempeldata må ha demo=ja.")) for g in goals if not g.demo
    ]
    if errors:
        raise CatalogueDataError(errors, goals_file.name)
    return specialties, topics, goals


def load_catalogue(data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Create or update specialties, FKM topic areas and the demo goals; return the counts."""
    specialties, topics, goals = read_catalogue(data_dir)
    counts: dict[str, int] = {}
    with transaction.atomic():
        _count(
            counts,
            "specialties",
            upsert(
                Specialty,
                ("code",),
                [
                    dict(
                        code=s.code,
                        name=s.name,
                        name_en=s.name_en,
                        part2_group=s.part2_group,
                        kind=s.kind,
                        source=s.source,
                        verified=s.verified,
                    )
                    for s in specialties
                ],
            ),
        )
        _count(
            counts,
            "topic_areas",
            upsert(
                TopicArea,
                ("code",),
                [
                    dict(code=t.code, name=t.name, source=t.source, verified=t.verified)
                    for t in topics
                ],
            ),
        )
        spec_ids = dict(Specialty.objects.values_list("code", "id"))
        topic_ids = dict(TopicArea.objects.values_list("code", "id"))
        # Once a code has official versions (imported by the trust), the demo sample leaves
        # every version of that code alone, so demo and official versions never overlap.
        official = set(LearningGoal.objects.filter(demo=False).values_list("code", flat=True))
        demo_goals = [g for g in goals if g.code not in official]
        _count(
            counts,
            "goals",
            upsert(
                LearningGoal,
                ("code", "valid_from"),
                [
                    goal_fields(g, spec_ids, topic_ids, source=g.source or DEMO_SOURCE)
                    for g in demo_goals
                ],
            ),
        )
        counts["goals_kept"] = len(goals) - len(demo_goals)
    return counts


def goal_fields(g: GoalRow, spec_ids: dict, topic_ids: dict, *, source: str) -> dict:
    return dict(
        code=g.code,
        valid_from=g.valid_from,
        valid_to=g.valid_to,
        text=g.text,
        part=g.part,
        common=g.part == LearningGoal.Part.COMMON,
        specialty_id=spec_ids.get(g.specialty) if g.specialty else None,
        topic_area_id=topic_ids.get(g.topic) if g.topic else None,
        demo=g.demo,
        source=source[:300],
    )


def _count(counts: dict[str, int], kind: str, result: dict[str, int]) -> None:
    for what, n in result.items():
        counts[f"{kind}_{what}"] = n


def upsert(
    model: type[models.Model],
    key: tuple[str, ...],
    rows: list[dict],
    keep=None,
    *,
    dry_run: bool = False,
) -> dict[str, int]:
    """Bulk create-or-update `rows` matched on `key`; `keep(obj)` protects existing rows.

    With `dry_run` only the counts are computed.
    """
    if not rows:
        return {"created": 0, "updated": 0, "unchanged": 0}
    first = key[0]
    existing = {
        tuple(getattr(o, k) for k in key): o
        for o in model.objects.filter(**{f"{first}__in": {r[first] for r in rows}})
    }
    fields = [f for f in rows[0] if f not in key]
    new, changed, unchanged, kept = [], [], 0, 0
    for row in rows:
        obj = existing.get(tuple(row[k] for k in key))
        if obj is None:
            new.append(model(**row))
        elif keep is not None and keep(obj):
            kept += 1
        elif any(getattr(obj, f) != row[f] for f in fields):
            for f in fields:
                setattr(obj, f, row[f])
            changed.append(obj)
        else:
            unchanged += 1
    if not dry_run:
        model.objects.bulk_create(new, batch_size=500)
        model.objects.bulk_update(changed, fields, batch_size=500)
    result = {"created": len(new), "updated": len(changed), "unchanged": unchanged}
    if keep is not None:
        result["kept"] = kept
    return result
