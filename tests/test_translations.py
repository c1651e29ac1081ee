"""The English catalogue (`locale/en/LC_MESSAGES/django.po`) is complete and usable.

The msgids are bokmål (docs/decisions/0001-bokmal-source-strings.md). A missing English string
silently falls back to bokmål, so these tests read the committed `.po` and fail on every empty
`msgstr`, every `fuzzy` entry and every placeholder that differs between msgid and msgstr, and
render one real page in English. The `.po` is parsed by hand so the suite needs no extra package.
"""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / "lisplan"
PO_FILE = PACKAGE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# %(name)s, %s, %d and str.format-style {name}; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"(?<!%)%\([^)]+\)[sdifr]|(?<!%)%[sd]|\{[A-Za-z_]\w*\}")


@dataclass
class Entry:
    line: int
    msgctxt: str = ""
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def _unquote(text: str) -> str:
    """A .po string literal ("...") uses C escapes, which a Python literal reads the same way."""
    return ast.literal_eval(text.strip())


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, without the header and without obsolete (#~) entries."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None
    flags: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert entry is not None and target is not None, f"stray string on line {number}"
            name, index = target
            if name == "msgstr" and index is not None:
                entry.msgstr_plural[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and (entry is None or target[0].startswith("msgstr")):
            entry = Entry(line=number, flags=flags)
            entries.append(entry)
            flags = set()
        assert entry is not None, f"unexpected {keyword!r} on line {number}"
        if keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            setattr(entry, keyword, _unquote(rest))
            target = (keyword, None)
        elif match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
            index = int(match.group(1))
            entry.msgstr_plural[index] = _unquote(rest)
            target = ("msgstr", index)
        else:
            raise AssertionError(f"cannot parse line {number}: {raw!r}")
    return [e for e in entries if e.msgid]  # the header has an empty msgid


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    parsed = parse_po(PO_FILE)
    assert len(parsed) > 100, "the English catalogue looks truncated"
    return parsed


def _pairs(entry: Entry) -> list[tuple[str, str]]:
    """(source, translation) pairs: the singular and the plural forms."""
    if entry.msgid_plural is None:
        return [(entry.msgid, entry.msgstr)]
    return [
        (entry.msgid if n == 0 else entry.msgid_plural, text)
        for n, text in sorted(entry.msgstr_plural.items())
    ]


def _report(offenders: list[str]) -> str:
    return f"{len(offenders)} offending entries in {PO_FILE.name}:\n" + "\n".join(offenders)


def test_every_message_is_translated(entries):
    offenders = []
    for entry in entries:
        if entry.msgid_plural is None:
            if not entry.msgstr:
                offenders.append(entry.label)
        elif len(entry.msgstr_plural) < 2 or not all(entry.msgstr_plural.values()):
            offenders.append(f"{entry.label} (plural forms: {entry.msgstr_plural})")
    assert not offenders, _report(offenders)


def test_no_message_is_fuzzy(entries):
    offenders = [entry.label for entry in entries if "fuzzy" in entry.flags]
    header_flags = PO_FILE.read_text(encoding="utf-8").split('msgid ""', 1)[0]
    if "fuzzy" in header_flags:
        offenders.append("the header is marked fuzzy")
    assert not offenders, _report(offenders)


def test_placeholders_match(entries):
    offenders = []
    for entry in entries:
        for source, translation in _pairs(entry):
            if not translation:
                continue  # reported by test_every_message_is_translated
            expected = Counter(PLACEHOLDER.findall(source))
            found = Counter(PLACEHOLDER.findall(translation))
            if expected != found:
                offenders.append(
                    f"{entry.label}: expected {sorted(expected.elements())}, "
                    f"got {sorted(found.elements())} in {translation!r}"
                )
            if source.endswith("\n") != translation.endswith("\n"):
                offenders.append(f"{entry.label}: trailing newline differs")
    assert not offenders, _report(offenders)


def test_parser_reads_plural_entries(entries):
    """Guards the hand-written parser: the catalogue has plural entries with two forms."""
    plurals = [e for e in entries if e.msgid_plural is not None]
    assert plurals
    assert all(set(e.msgstr_plural) == {0, 1} for e in plurals)


def _compile_if_needed() -> None:
    """scripts/bootstrap compiles the catalogue; a fresh clone may not have the .mo yet."""
    if MO_FILE.exists() and MO_FILE.stat().st_mtime >= PO_FILE.stat().st_mtime:
        return
    cwd = os.getcwd()
    try:
        os.chdir(PACKAGE_DIR)  # so compilemessages does not walk .venv and node_modules
        call_command("compilemessages", locale=["en"], verbosity=0)
    finally:
        os.chdir(cwd)


def test_login_page_renders_in_english(client, db):
    _compile_if_needed()
    # Re-setting LOCALE_PATHS clears Django's cached catalogues, in case this process loaded
    # them before the .mo existed.
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "<title>Log in – lisplan</title>" in html
    assert "Username" in html
    assert "Skip to main content" in html
    assert "Logg inn" not in html
