"""One name per concept (issue 17, item 8): the words a person reads — pages, PDFs, menus,
e-mails and the API's descriptions — use the Norwegian terms of ../shared/design/domain.md
(§ 2, «Glossary»), one name each. Every user-facing string is in the translation catalogue
(tests/test_translations.py sees to that), so the catalogue's source strings are checked here;
the page walk in test_words.py checks the rendered pages with the same list.

To add a concept: its preferred word, and the synonyms that must not appear (regular
expressions, matched case-insensitively against each source string)."""

from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass

import pytest

from tests.test_translations import PO_FILE, parse_po

SRC = pathlib.Path(__file__).parents[2] / "src" / "lisplan"


@dataclass(frozen=True)
class Concept:
    name: str  # the concept (domain.md's code name)
    preferred: str  # the one Norwegian word the interface uses
    forbidden: tuple[str, ...]  # regular expressions of the synonyms it must not use
    labels: tuple[str, ...] = ()  # whole labels (a column, a field) that must not be used


GLOSSARY = [
    Concept(
        "CollaborationAgreement",
        "fagavtale",
        # domain.md names it «fagavtale (samarbeidsavtale)»: the other word only beside it
        (r"\bsamarbeidsavtale\w*(?! \(fagavtale\))",),
    ),
    Concept(
        "RotationRegister",
        "fiktiv enhet",
        (r"\brotasjonsregister\w*", r"\bgjennomstrømmingsliste\w*"),
    ),
    Concept(
        "RotationPeriod",
        "spesialiseringsperiode",
        (r"\brotasjonsperiode\w*", r"\bgruppe 1-tjeneste\w*"),
    ),
    Concept(
        "Institution",
        # domain.md's «utdanningsvirksomhet» (short: «virksomhet»); «avgivende» and
        # «mottakende foretak» are seed 003's words for the two sides of a rotation request,
        # never a label on their own
        "utdanningsvirksomhet",
        (r"\butdanningsinstitusjon\w*", r"\bhelseinstitusjon\w*"),
        labels=("Foretak", "Institusjon", "Institusjoner"),
    ),
    Concept(
        "Trainee",
        "lege i spesialisering (LIS)",
        (r"\bspesialistkandidat\w*", r"\butdanningskandidat\w*", r"\bLIS-kandidat\w*"),
    ),
    Concept(
        "EducationPlan",
        "individuell utdanningsplan (IUP)",
        (r"\bopplæringsplan\w*", r"\butviklingsplan\w*"),
    ),
    Concept(
        "LearningGoal",
        "læringsmål",
        # «felles kompetansemål» (FKM) is the name of the common goals, not a synonym
        (r"(?<!felles )(?<!Felles )\bkompetansemål\b(?! \(FKM\))", r"\blæringsutbytte\w*"),
    ),
]


def catalogue_strings() -> list[str]:
    entries = parse_po(PO_FILE)
    return [e.msgid for e in entries] + [e.msgid_plural for e in entries if e.msgid_plural]


def synonyms_in(text: str) -> list[str]:
    """The forbidden synonyms in a text (for the page walk)."""
    return [
        f"«{m.group(0)}» (say «{c.preferred}»)"
        for c in GLOSSARY
        for rx in c.forbidden
        for m in re.finditer(rx, text, flags=re.IGNORECASE)
    ]


def test_the_glossary_helper():
    assert synonyms_in("Velg en samarbeidsavtale fra listen") != []
    assert synonyms_in("Velg en fagavtale fra listen") == []
    assert synonyms_in("Felles kompetansemål (FKM)") == []
    assert synonyms_in("Oppføring i rotasjonsregisteret endret") != []


@pytest.mark.parametrize("concept", GLOSSARY, ids=lambda c: c.name)
def test_one_name_per_concept_in_every_string_a_person_reads(concept):
    strings = catalogue_strings()
    found = sorted(
        {s for s in strings for rx in concept.forbidden if re.search(rx, s, flags=re.IGNORECASE)}
        | {s for s in strings if s.strip() in concept.labels}
    )
    assert not found, f"say «{concept.preferred}» for {concept.name}, not:\n" + "\n".join(found)


def test_names_are_first_name_last_name_everywhere():
    """«Fornavn Etternavn» (`full_name`) on every page and PDF; lists sort by last name."""
    reversed_names = re.compile(r"last_name\s*}}\s*,\s*{{[^}]*first_name")
    found = [
        str(p.relative_to(SRC))
        for p in (SRC / "templates").rglob("*.html")
        if reversed_names.search(p.read_text())
    ]
    found += [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if re.search(r"\{[\w.]*last_name\}, \{[\w.]*first_name\}", p.read_text())
    ]
    assert not found, "«Etternavn, Fornavn» in: " + ", ".join(found)


def _texts(node, key=""):
    """Every description, summary and title in the OpenAPI document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _texts(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _texts(v, key)
    elif isinstance(node, str) and key in ("description", "summary", "title"):
        yield node


def test_one_name_per_concept_in_the_api_docs(db):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    found = sorted({f"{t[:80]!r}: {s}" for t in _texts(schema) for s in synonyms_in(t)})
    assert not found, "\n".join(found)
