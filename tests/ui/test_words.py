"""Words, not internals: every page each demo role reaches from its start page is read for what
a person should never see — file names, dotted audit codes, `snake_case` identifiers, Python
and JavaScript leftovers, the solver's Δ outside the «Om beregningen» section, numbers in
English format, synonyms the glossary forbids (test_glossary.py) — and for bare browser
checkboxes and radio buttons (Designsystemet's `ds-input` on every one).

The pages are found the way a user finds them: following the links from the start page (and
the menu), breadth first, a bounded number per role."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from lisplan.accounts.models import User
from tests.ui.test_glossary import synonyms_in

pytestmark = pytest.mark.django_db

ROLES = [
    "trainee",
    "supervisor",
    "leader",
    "education_lead",
    "local_coordinator",
    "regional_coordinator",
    "planner",
    "admin",
]
PAGES_PER_ROLE = 45

SKIP = re.compile(
    r"(/logg-ut|/admin/|/api/|/pdf|\.pdf|/last-ned|\.ics|/kalender|/eksport|"
    r"/i18n/|\.csv|\.xlsx|\.json|/fil/)"
)

FORBIDDEN = {
    "a file name": re.compile(r"\b[\w-]+\.(?:ya?ml|py|json|csv|xlsx|html|txt)\b"),
    "a dotted event code": re.compile(
        r"\b(?:register|plan|iup|progress|trainee|employment|leave|supervision|allocation|"
        r"agreement|vacancy|role|user|programme|insights)\.[a-z]+_?[a-z_]*\b"
    ),
    "an identifier with _": re.compile(r"\b[a-z]+_[a-z_]+\b"),
    "a code leftover": re.compile(r"\b(?:None|True|False|null|undefined|NaN)\b"),
    # Norwegian number formats (`36,6 %`, `20 414,4`): no decimal point before a per cent
    # sign, no long number with decimals left ungrouped
    "an English per cent": re.compile(r"\b\d+\.\d+\s?%"),
    "an ungrouped long number": re.compile(r"(?<![\d,.])\d{5,},\d+\b"),
    "a template leftover": re.compile(r"\{\{|\{%|%\(\w+\)s"),
}
# Words that look like internals but are what the person must type: the column names of the
# progress import file (docs/progress-import.md).
ALLOWED = {"godkjent_av"}


class _Text(HTMLParser):
    """The text a person reads inside <main>, without scripts, styles and the expert section."""

    def __init__(self):
        super().__init__()
        self.depth_main = 0
        self.skip = 0  # inside script/style/template
        self.expert = 0  # inside the «Om beregningen» section
        self.stack: list[str] = []
        self.parts: list[str] = []
        self.expert_parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self.skip += 1
        if tag == "main":
            self.depth_main += 1
        if tag == "section" and attrs.get("aria-labelledby") == "about-heading":
            self.expert += 1
            self.stack.append("expert")
        elif tag == "section":
            self.stack.append("section")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.skip -= 1
        if tag == "main":
            self.depth_main -= 1
        if tag == "section" and self.stack and self.stack.pop() == "expert":
            self.expert -= 1

    def handle_data(self, data):
        if self.depth_main and not self.skip:
            (self.expert_parts if self.expert else self.parts).append(data)


def read(html: str) -> tuple[str, str]:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts), " ".join(parser.expert_parts)


def problems(text: str) -> list[str]:
    found = [
        f"{what}: {m.group(0)!r}"
        for what, rx in FORBIDDEN.items()
        for m in rx.finditer(text)
        if m.group(0) not in ALLOWED
    ]
    if "Δ" in text:
        found.append("Δ outside «Om beregningen»")
    found += [f"a synonym the glossary forbids: {s}" for s in synonyms_in(text)]
    return found


# A database id is no name: «Fordeling #12», «fagavtale nr. 17». Checked in the page's title and
# headings and in link texts, where a person reads what a thing is called; «nr.» only after a
# word that names a stored thing, so «prioritet nr. 1» and «versjon 2» stay allowed.
DATABASE_ID = re.compile(
    r"#\d+\b|\b(?:fagavtale|avtale|kjøring|fordeling|dimensjonering|plan|søknad|ønske)"
    r"\s+nr\.?\s*\d+",
    re.IGNORECASE,
)


def database_ids(html: str) -> list[str]:
    """Database ids where a person reads a name: <title>, headings, link texts."""
    found = []
    named = re.findall(
        r"<(title|h[1-3]|a)\b[^>]*>(.*?)</\1>", html, flags=re.DOTALL | re.IGNORECASE
    )
    for tag, inner in named:
        words = re.sub(r"<[^>]+>", "", inner)
        for m in DATABASE_ID.finditer(words):
            found.append(f"a database id in <{tag.lower()}>: {m.group(0)!r}")
    return found


def bare_controls(html: str) -> list[str]:
    """Checkboxes and radio buttons without Designsystemet's class: a bare browser control."""
    found = []
    for tag in re.findall(r"<input\b[^>]*>", html):
        kind = re.search(r'type="(checkbox|radio)"', tag)
        if kind and not re.search(r'class="[^"]*\bds-input\b', tag):
            found.append(f"a bare {kind.group(1)}: {tag[:120]}")
    return found


def links(html: str) -> list[str]:
    return re.findall(r'href="(/[^"#]*)', html)


def pattern(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(r"/\d+", "/N", parts.path) + (
        "?" + re.sub(r"=[^&]*", "", parts.query) if parts.query else ""
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo", trainees=40, stdout=open("/dev/null", "w"))  # noqa: SIM115
        yield
        call_command("flush", interactive=False, verbosity=0)


def test_the_words_unit_helpers():
    assert problems("Sendt til signering 12.03.2026") == []
    assert problems("register.request_created (status: need)") != []
    assert problems("Se regler.yaml") != []
    assert problems("36.6 % av ønskene") != []
    assert problems("Målfunksjon 20414,394") != []
    assert problems("36,6\xa0% av 20\xa0414,4") == []
    assert problems("Velg samarbeidsavtale") != []
    assert database_ids("<title>Fordeling #12 – lisplan</title>") != []
    assert database_ids('<h1 class="ds-heading">Dimensjonering #3: Hovedscenario</h1>') != []
    assert database_ids('<td><a href="/fordeling/12/">#12</a></td>') != []
    assert database_ids("<p>(fagavtale nr. 17)</p>") == []  # not a name slot…
    assert database_ids("<h2>Periode 1 (fagavtale nr. 17)</h2>") != []  # …but here it is
    assert database_ids("<h1>Revisjon 3, versjon 2</h1><a>UNNs prioritet nr. 1</a>") == []
    assert database_ids('<a href="#main">Til hovedinnholdet</a>') == []
    assert bare_controls('<input type="checkbox" name="a">') != []
    assert bare_controls('<input type="radio" class="ds-input" name="a">') == []
    assert (
        read(
            '<main><p>Køvekt</p><section aria-labelledby="about-heading">'
            "<p>Δ 3</p></section><script>a_b()</script></main>"
        )[0].strip()
        == "Køvekt"
    )


@pytest.mark.parametrize("role", ROLES)
def test_no_internals_on_any_page_a_role_reaches(demo, role):
    client = Client()
    client.force_login(User.objects.get(username=role))
    queue, seen, report = deque(["/"]), set(), []
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.popleft()
        key = pattern(url)
        if key in seen or SKIP.search(url):
            continue
        seen.add(key)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        visited += 1
        html = response.content.decode()
        text, _expert = read(html)
        report += [f"{url}: {p}" for p in problems(text)]
        report += [f"{url}: {p}" for p in bare_controls(html)]
        report += [f"{url}: {p}" for p in database_ids(html)]
        if re.search(r"\bfagavtale nr\.?\s*\d+", text, re.IGNORECASE):
            report.append(f"{url}: a database id: fagavtale nr.")
        queue.extend(link for link in links(html) if pattern(link) not in seen)
    assert visited >= 3, f"{role} reached only {visited} pages"
    assert not report, f"{role}:\n" + "\n".join(sorted(set(report))[:60])
