"""Loading the course catalogue (`progress/catalogue/courses.yaml`) — data, not constants."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from lisplan.catalogue.models import Specialty
from lisplan.progress.models import Course

COURSES = Path(__file__).resolve().parent / "catalogue" / "courses.yaml"


@transaction.atomic
def load_courses(path: Path = COURSES) -> int:
    """Create or update the courses of the data file by code; returns how many it holds.
    A course whose specialty is not in the catalogue is loaded without one."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    source = data.get("source", "")
    specialties = dict(Specialty.objects.values_list("code", "id"))
    existing = {c.code: c for c in Course.objects.all()}
    create, update = [], []
    for entry in data.get("courses", []):
        fields = {
            "name": entry["name"],
            "kind": entry["kind"],
            "specialty_id": specialties.get(entry.get("specialty") or ""),
            "hours": entry.get("hours"),
            "source": entry.get("source", source),
            "requirement_code": entry.get("requirement", ""),
            "counts_as": entry.get("counts_as", "course"),
            "verified": bool(entry.get("verified")),
        }
        course = existing.get(entry["code"])
        if course is None:
            create.append(Course(code=entry["code"], **fields))
        else:
            for key, value in fields.items():
                setattr(course, key, value)
            update.append(course)
    Course.objects.bulk_create(create)
    if update:
        Course.objects.bulk_update(
            update,
            [
                "name",
                "kind",
                "specialty_id",
                "hours",
                "source",
                "verified",
                "requirement_code",
                "counts_as",
            ],
        )
    return len(create) + len(update)
