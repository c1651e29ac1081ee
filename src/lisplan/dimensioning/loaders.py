"""Reading the public data files the model uses, as they come from SSB's API (json-stat2 or
CSV) or, for exit rates, a small CSV. Pure Python: the files in, plain rows out; the app's
`services.load_dataset` stores them with their source and date.

| kind | SSB table | what a row is |
| --- | --- | --- |
| `specialists` | 07935 | specialists by specialty, sex and age group (the country) |
| `employed` | 09544 | employed specialists by specialty and health trust |
| `population` | 13599 (or any projection table) | persons by region, sex, age and year |
| `exit_rates` | — (own estimate) | `specialty;sex;age_from;age_to;rate` |

Download (docs/dimensioning-data.md has the full commands), e.g.

    curl -s -X POST https://data.ssb.no/api/v0/no/table/07935 \
      -H 'Content-Type: application/json' \
      -d '{"query":[{"code":"Tid","selection":{"filter":"top","values":["1"]}}],
           "response":{"format":"json-stat2"}}' -o 07935.json

Dimensions are recognised by their id or label (SSB's ids vary between tables): the year
(`Tid`), sex (`Kjonn`: 1/«Menn» → M, 2/«Kvinner» → K), age (`Alder`: «30-34», «67+», «70 år
eller eldre», «Under 30»), the specialty (an id or label containing «spes»), the health trust
or region (`Region`, «helseforetak»). The statistic (`ContentsCode`) must have one value, or
the first is used. Totals («I alt», «Alle aldre», «Begge kjønn») are left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field

KINDS = ("specialists", "employed", "population", "exit_rates")
OPEN_AGE_BAND = 4  # «67+» is read as 67–71
TOTAL_WORDS = ("i alt", "alle", "begge kjønn", "total", "totalt", "hele landet")


class LoadError(ValueError):
    """The file cannot be read as that kind; the message says what is wrong (English)."""


@dataclass
class Loaded:
    kind: str
    rows: list[dict]
    source: str = ""
    updated: dt.date | None = None
    notes: list[str] = field(default_factory=list)


def _is_total(label: str) -> bool:
    low = label.strip().lower()
    return any(low == w or low.startswith(w + " ") or low.endswith(" " + w) for w in TOTAL_WORDS)


def parse_age(label: str) -> tuple[int, int] | None:
    """(from, to) of an age label, or None for a total."""
    text = label.strip().lower().replace("–", "-").replace(" år", "").strip()
    if _is_total(text):
        return None
    m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", text)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.fullmatch(r"(\d+)\s*(\+|og over|og eldre|eller eldre|eller mer)", text)
    if m:
        return int(m.group(1)), int(m.group(1)) + OPEN_AGE_BAND
    m = re.fullmatch(r"(under|-)\s*(\d+)", text)
    if m:
        return max(0, int(m.group(2)) - 5), int(m.group(2)) - 1
    m = re.fullmatch(r"(\d+)", text)
    if m:
        return int(m.group(1)), int(m.group(1))
    raise LoadError(f"cannot read the age {label!r}")


def parse_sex(code: str, label: str) -> str | None:
    text = f"{code} {label}".lower()
    if _is_total(label) or code in ("0", "9"):
        return None
    if code == "1" or "menn" in text or "male" in text.split() or text.startswith("m "):
        return "M"
    if code == "2" or "kvinner" in text or "female" in text or text.startswith("k "):
        return "K"
    raise LoadError(f"cannot read the sex {label!r}")


def _role(dim_id: str, label: str) -> str | None:
    text = f"{dim_id} {label}".lower()
    if dim_id == "ContentsCode" or "statistikkvariabel" in text:
        return "content"
    if (
        dim_id == "Tid"
        or text.split()[-1:] in (["år"], ["year"])
        or " år" in text
        or dim_id.lower() == "tid"
    ):
        return "year"
    if "kj" in dim_id.lower() or "kjønn" in text or "sex" in text:
        return "sex"
    if "alder" in text or "age" in text.split():
        return "age"
    if "spes" in text or "special" in text:
        return "specialty"
    if "region" in text or "helseforetak" in text or "foretak" in text or "trust" in text:
        return "region"
    return None


def _cells(doc: dict):
    """(labels per role, value) for every cell of a json-stat2 dataset."""
    if doc.get("class") != "dataset" or "dimension" not in doc or "id" not in doc:
        raise LoadError("not a json-stat2 dataset (class, id, size, dimension, value)")
    ids, sizes, values = doc["id"], doc["size"], doc["value"]
    dims = []
    for dim_id in ids:
        dim = doc["dimension"][dim_id]
        cat = dim["category"]
        index = cat.get("index")
        if isinstance(index, dict):
            codes = sorted(index, key=index.get)
        elif isinstance(index, list):
            codes = index
        else:
            codes = list(cat.get("label", {}))
        labels = cat.get("label", {})
        dims.append(
            (_role(dim_id, dim.get("label", dim_id)), [(c, labels.get(c, c)) for c in codes])
        )
    total = 1
    for n in sizes:
        total *= n
    if isinstance(values, dict):
        values = [values.get(str(i)) for i in range(total)]
    if len(values) != total:
        raise LoadError("the number of values does not match the dimension sizes")
    strides = []
    acc = 1
    for n in reversed(sizes):
        strides.append(acc)
        acc *= n
    strides.reverse()
    for i, value in enumerate(values):
        cell = {}
        for d, (role, cats) in enumerate(dims):
            code, label = cats[(i // strides[d]) % sizes[d]]
            if role == "content":
                if (i // strides[d]) % sizes[d] != 0:
                    break
                continue
            if role is not None:
                cell[role] = (code, label)
        else:
            yield cell, value


def _csv_cells(text: str):
    """SSB's CSV: a header of variable labels, one row per cell, the value last. Semicolon or
    comma separated; a value «.» or «..» or «:» is missing."""
    sample = text[:2000]
    dialect = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=dialect)
    header = next(reader, None)
    if not header or len(header) < 2:
        raise LoadError("the CSV file has no header")
    roles = [_role(h, h) for h in header[:-1]]
    for row in reader:
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise LoadError(f"a row has {len(row)} columns, the header {len(header)}")
        cell = {}
        for role, value in zip(roles, row[:-1], strict=True):
            if role and role != "content":
                code = value.split(" ", 1)[0] if role in ("sex",) else value
                cell[role] = (code, value)
        raw = row[-1].strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        yield cell, None if raw in (".", "..", ":", "-", "") else float(raw)


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read(kind: str, content: bytes | str, name: str = "") -> Loaded:
    """The rows of a downloaded file. `name` decides json or CSV by its ending (else the
    content)."""
    if kind not in KINDS:
        raise LoadError(f"unknown kind {kind!r}")
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    if kind == "exit_rates":
        return _exit_rates(text)
    is_json = name.lower().endswith(".json") or text.lstrip().startswith("{")
    source, updated = "", None
    if is_json:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as error:
            raise LoadError(f"not JSON: {error}") from error
        cells = _cells(doc)
        source = doc.get("source", "") or ""
        label = doc.get("label", "")
        source = f"{source}: {label}" if label else source
        if doc.get("updated"):
            try:
                updated = dt.date.fromisoformat(str(doc["updated"])[:10])
            except ValueError:
                updated = None
    else:
        cells = _csv_cells(text)
    need = {
        "specialists": ("specialty", "sex", "age", "year"),
        "employed": ("specialty", "region", "year"),
        "population": ("region", "sex", "age", "year"),
    }[kind]
    rows, skipped = [], 0
    for cell, value in cells:
        missing = [r for r in need if r not in cell]
        if missing:
            raise LoadError(f"the file has no {', '.join(missing)} dimension")
        value = _number(value)
        if value is None:
            skipped += 1
            continue
        if any(_is_total(cell[r][1]) for r in need if r not in ("sex", "age")):
            continue
        year_text = cell["year"][0]
        if not re.fullmatch(r"\d{4}", year_text.strip()[:4]):
            raise LoadError(f"cannot read the year {year_text!r}")
        row = {"year": int(year_text.strip()[:4])}
        if "sex" in need:
            sex = parse_sex(*cell["sex"])
            if sex is None:
                continue
            row["sex"] = sex
        if "age" in need:
            age = parse_age(cell["age"][1])
            if age is None:
                continue
            row["age_from"], row["age_to"] = age
        if "specialty" in need:
            row["specialty"] = cell["specialty"][1].strip()
        if kind == "employed":
            row["trust"] = cell["region"][1].strip()
            row["heads"] = value
        elif kind == "population":
            row["region"] = cell["region"][1].strip()
            row["age"] = row.pop("age_from")
            row.pop("age_to")
            row["persons"] = value
        else:
            row["heads"] = value
        rows.append(row)
    notes = [f"{skipped} cells without a value were left out"] if skipped else []
    if not rows:
        raise LoadError("the file has no rows with values")
    return Loaded(kind, rows, source, updated, notes)


def _exit_rates(text: str) -> Loaded:
    sample = text[:2000]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    expected = {"specialty", "sex", "age_from", "age_to", "rate"}
    if not reader.fieldnames or not expected <= {f.strip() for f in reader.fieldnames}:
        raise LoadError("exit rates need the columns specialty;sex;age_from;age_to;rate")
    rows = []
    for i, row in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        try:
            out = {
                "specialty": row["specialty"] or "*",
                "sex": row["sex"] or "*",
                "age_from": int(row["age_from"]),
                "age_to": int(row["age_to"]),
                "rate": float(row["rate"].replace(",", ".")),
            }
        except ValueError as error:
            raise LoadError(f"line {i}: {error}") from error
        if (
            out["sex"] not in ("K", "M", "*")
            or not 0 <= out["rate"] <= 1
            or out["age_to"] < out["age_from"]
        ):
            raise LoadError(f"line {i}: sex K, M or *; 0 ≤ rate ≤ 1; age_to ≥ age_from")
        rows.append(out)
    if not rows:
        raise LoadError("the file has no rows")
    return Loaded("exit_rates", rows)
