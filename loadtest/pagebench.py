"""Every page reachable from each role's start page, timed over HTTP as issue #18 measured it.

Issue #18 measured «on PostgreSQL with 7,000 demo trainees (gunicorn, 2 workers, 2 cores;
baseline = the anonymous login page, p50 8 ms in the same run)», and set the bar «median within
15× the login page (≈ 100–120 ms on this machine)». This is that measurement; run it with
`scripts/pagebench` (which calls this file with the project's Python):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lisplan_pagebench scripts/pagebench --write

For each size (default 700 and 7,000 trainees) it

1. builds the demo into its own database `<base>_<size>` on the DATABASE_URL server
   (`createdb`, `lisplan migrate`, `lisplan demo --trainees N`, which ANALYZEs at the end) —
   skipped when that database already holds a finished demo of that size (N demo trainees, the
   eight demo logins, a finished allocation run and a signed IUP; a database built elsewhere is
   ANALYZEd once first). `--rebuild`, or a database holding anything else, builds it anew
   (DROP DATABASE: point `--base` only at benchmark databases);
2. starts `scripts/serve` on it as `scripts/loadtest` does (gunicorn, 2 processes, no
   background worker, plain HTTP) and waits for it;
3. logs in as each of the eight demo personas through the login form, opens the start page,
   follows every same-site link on it one level deep (one link per URL pattern, as
   tests/benchmarks/test_pages.py does) and times each page: the median of `--runs` requests
   after one warm-up, with the anonymous login page timed over HTTP right after each request
   (`paired`), so that page and login page share the load of the moment;
4. times a stored (signed) IUP PDF the same way (the first download renders and stores it).

It prints the table and checks the issue's bars: at the largest size every page within 15 × the
login page, the ratio growing at most 2 × from the smallest to the largest size, no page over
150 kB, the stored PDF within 5 × the login page. Exit status 1 when a bar fails. `--write`
replaces the `start-pages:postgresql` block in docs/performance.md with the table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
MARK = "start-pages:postgresql"
LOGIN = "/logg-inn/"
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo")
PERSONAS = (
    "trainee",
    "supervisor",
    "leader",
    "education_lead",
    "local_coordinator",
    "regional_coordinator",
    "planner",
    "admin",
)
MAX_RATIO = 15.0
MAX_GROWTH = 2.0
MAX_PDF_RATIO = 5.0
MAX_KB = 150
# Links that are not pages to time: leaving, files, the admin, the API docs, the language switch.
SKIP = re.compile(r"^/(logg-ut|static/|admin/|api/|i18n/)|\.(ics|pdf|xlsx|csv|json)$|/logout")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(href.split("#", 1)[0])


def links(html: str) -> list[str]:
    """The same-site links on a page, in order, once each, without those not to time."""
    parser = _Links()
    parser.feed(html)
    return [h for h in dict.fromkeys(parser.links) if h and not SKIP.search(h)]


def pattern(path: str) -> str:
    """/leger/123/?virksomhet=4 → /leger/{id}/?virksomhet={id}: the same page at both
    sizes (and one of many links that differ only by an id)."""
    return re.sub(r"=\d+", "={id}", re.sub(r"/\d+(?=/|$|\?)", "/{id}", path))


@dataclass
class Row:
    persona: str
    page: str  # the pattern
    n: int
    median_ms: float
    login_ms: float  # the login page, timed right after each run of this page
    kb: float
    status: int

    @property
    def ratio(self) -> float:
        return self.median_ms / self.login_ms


def growth(small: Row, large: Row) -> float:
    """How much the page grew from the small to the large size, as ratios to the login page
    timed beside it; a page under 1 × the login page counts as 1 ×."""
    return max(large.ratio, 1.0) / max(small.ratio, 1.0)


# --- the databases --------------------------------------------------------------------------


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _admin(url: str) -> psycopg.Connection:
    return psycopg.connect(_with_db(url, "postgres"), autocommit=True)


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        LISPLAN_SECRET_KEY=os.environ.get("LISPLAN_SECRET_KEY", "pagebench-not-secret"),
        LISPLAN_ALLOWED_HOSTS="127.0.0.1,localhost",
        LISPLAN_DEBUG="0",
        LISPLAN_HTTPS="0",  # production settings over plain HTTP (no redirect, no secure cookies)
        LISPLAN_SSL_REDIRECT="0",
        LISPLAN_HSTS_SECONDS="0",
        LISPLAN_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def _lisplan(db_url: str, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "lisplan"), *args],
        env=_env(db_url),
        cwd=ROOT,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return done.stdout or ""


# What the benchmark needs from a demo database, read with the app's own models.
_STATE = """
import json
from django.urls import reverse
from lisplan.accounts.models import User
from lisplan.allocation.models import AllocationRun
from lisplan.iup.models import Revision, Status
from lisplan.trainees.models import Trainee
signed = Revision.objects.filter(status=Status.SIGNED)
rev = signed.filter(plan__trainee__user__username="trainee").order_by("pk").first() \\
    or signed.order_by("pk").first()
print(json.dumps({
    "trainees": Trainee.objects.filter(demo=True).count(),
    "users": sorted(User.objects.filter(demo=True).values_list("username", flat=True)),
    "runs": AllocationRun.objects.filter(demo=True, status="done").count(),
    "pdf": reverse("iup:pdf", args=[rev.pk]) if rev else None,
}))
"""


def _state(db_url: str) -> dict:
    return json.loads(
        _lisplan(db_url, "shell", "-c", _STATE, capture=True).strip().splitlines()[-1]
    )


def _marker(n: int) -> str:
    return f"lisplan pagebench: demo {n} trainees"


def prepare(server_url: str, name: str, n: int, rebuild: bool) -> tuple[str, float | None]:
    """The database `name` holding the demo with `n` trainees: (its URL, build seconds or None
    when it was already there)."""
    db_url = _with_db(server_url, name)
    with _admin(server_url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
    if row is not None and not rebuild:
        try:
            _lisplan(db_url, "migrate", "--noinput", "-v0")
            state = _state(db_url)
        except subprocess.CalledProcessError:
            state = {"trainees": None}
        finished = state.get("runs") and state.get("pdf") and set(PERSONAS) <= set(state["users"])
        if state["trainees"] == n and finished:
            if row[0] != _marker(n):  # built elsewhere (`lisplan demo`): make sure of statistics
                with psycopg.connect(db_url, autocommit=True) as conn:
                    conn.execute("ANALYZE")
                    conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{_marker(n)}'")
            print(f"{name}: demo with {n} trainees already there", flush=True)
            return db_url, None
    started = time.perf_counter()
    with _admin(server_url) as conn:
        # a fresh database is much faster than replacing a demo (see docs/performance.md)
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    print(f"{name}: building the demo with {n} trainees …", flush=True)
    _lisplan(db_url, "migrate", "--noinput", "-v0")
    _lisplan(db_url, "demo", "--trainees", str(n))
    with _admin(server_url) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{_marker(n)}'")
    return db_url, time.perf_counter() - started


# --- the server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`scripts/serve` as `scripts/loadtest` starts it: gunicorn with two processes, its default
    threads, no background worker, no bootstrap."""

    def __init__(self, db_url: str, port: int, log: Path):
        self.base = f"http://127.0.0.1:{port}"
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [str(ROOT / "scripts" / "serve")],
            cwd=ROOT,
            env=_env(
                db_url,
                PORT=str(port),
                LISPLAN_WEB_WORKERS="2",
                LISPLAN_BIND_ADDRESS="127.0.0.1",
                LISPLAN_SERVE_WORKER="0",
                LISPLAN_SKIP_BOOTSTRAP="1",
            ),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one below
        )

    def wait(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"scripts/serve stopped (status {self.proc.returncode})")
            try:
                if requests.get(self.base + LOGIN, timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise SystemExit(f"scripts/serve did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# --- timing ---------------------------------------------------------------------------------


class Bench:
    def __init__(self, base: str, runs: int):
        self.base = base
        self.runs = runs
        self.anonymous = requests.Session()

    def timed(self, session: requests.Session, path: str) -> tuple[float, requests.Response]:
        started = time.perf_counter()
        response = session.get(self.base + path, allow_redirects=False, timeout=300)
        return (time.perf_counter() - started) * 1000, response  # the body is read by now

    def login_page(self) -> float:
        return self.timed(self.anonymous, LOGIN)[0]

    def median_login(self) -> float:
        self.login_page()
        return statistics.median(self.login_page() for _ in range(self.runs))

    def paired(
        self, session: requests.Session, path: str
    ) -> tuple[float, float, requests.Response]:
        """(median ms of the page, median ms of the login page timed right after each run of
        it, last response)."""
        self.timed(session, path)  # warm up
        page, login = [], []
        response = None
        for _ in range(self.runs):
            ms, response = self.timed(session, path)
            page.append(ms)
            login.append(self.login_page())
        assert response is not None
        return statistics.median(page), statistics.median(login), response

    def login(self, username: str) -> requests.Session:
        session = requests.Session()
        form = session.get(self.base + LOGIN, timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        response = session.post(
            self.base + LOGIN,
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.base + LOGIN},
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code != 302:
            raise SystemExit(f"login as {username} failed: status {response.status_code}")
        return session


def measure(bench: Bench, n: int, personas: tuple[str, ...], pdf: str) -> tuple[list[Row], float]:
    rows: list[Row] = []
    for persona in personas:
        session = bench.login(persona)
        ms, login, start = bench.paired(session, "/")
        if start.status_code != 200:
            raise SystemExit(f"{persona}: the start page answered {start.status_code}")
        found = [("/", ms, login, start)]
        seen = {"/"}
        for href in links(start.text):
            key = pattern(href)
            if key in seen:
                continue
            seen.add(key)
            found.append((href, *bench.paired(session, href)))
        for href, ms, login, response in found:
            row = Row(
                persona,
                pattern(href),
                n,
                ms,
                login,
                len(response.content) / 1024,
                response.status_code,
            )
            rows.append(row)
            print(
                f"{n:>5} {persona:<21} {row.page:<50} {row.status} {ms:7.0f} ms "
                f"{row.ratio:5.1f}× {row.kb:6.0f} kB",
                flush=True,
            )
    admin = bench.login("admin")
    first = bench.timed(admin, pdf)[1]  # renders and stores it
    if first.status_code != 200:
        raise SystemExit(f"{pdf}: status {first.status_code}")
    ms, login, _response = bench.paired(admin, pdf)
    print(
        f"{n:>5} admin                 {'stored IUP PDF':<50} 200 {ms:7.0f} ms {ms / login:5.1f}×",
        flush=True,
    )
    return rows, ms / login


# --- report ---------------------------------------------------------------------------------


def machine(server_url: str) -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with _admin(server_url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    return f"{cpu}, {os.cpu_count()} kjerner, PostgreSQL {version}"


def table(rows, sizes, login, pdf, builds, runs, where, loads) -> str:
    small, large = sizes[0], sizes[-1]
    by_key = {(r.persona, r.page, r.n): r for r in rows}
    pair = f"{small} / {large}" if small != large else f"{large}"
    built = ", ".join(
        f"{builds[n]:.0f} s ({n})" if builds[n] is not None else f"fra før ({n})" for n in sizes
    )
    lines = [
        f"Målt {dt.date.today():%d.%m.%Y} på {where}; belastning (load average) "
        + ", ".join(f"{loads[n]} ved {n}" for n in sizes)
        + f". Over HTTP mot `scripts/serve` (gunicorn, 2 prosesser), median av {runs} "
        "kjøringer etter én oppvarming, innloggingssiden tidtatt rett etter hver kjøring. "
        "Innloggingssiden alene: "
        + ", ".join(f"{login[n]:.1f} ms ({n} leger)" for n in sizes)
        + ". Lagret IUP-PDF: "
        + ", ".join(f"{pdf[n]:.1f}× innloggingssiden ({n})" for n in sizes)
        + f". Demodatabasen: {built}.",
        "",
        f"| persona | side | status | median ms ({pair}) | × innlogging ({pair}) | vekst "
        f"| kB ({large}) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        if r.n != large:
            continue
        s = by_key.get((r.persona, r.page, small)) if small != large else None
        if s is None:
            lead = "– / " if small != large else ""
            lines.append(
                f"| {r.persona} | `{r.page}` | {r.status} | {lead}{r.median_ms:.0f} | "
                f"{lead}{r.ratio:.1f} | – | {r.kb:.0f} |"
            )
            continue
        lines.append(
            f"| {r.persona} | `{r.page}` | {r.status} | {s.median_ms:.0f} / {r.median_ms:.0f} | "
            f"{s.ratio:.1f} / {r.ratio:.1f} | {growth(s, r):.1f} | {r.kb:.0f} |"
        )
    return "\n".join(lines)


def failures(rows: list[Row], sizes: list[int], pdf: dict[int, float]) -> list[str]:
    small, large = sizes[0], sizes[-1]
    by_key = {(r.persona, r.page, r.n): r for r in rows}
    out = [f"{r.persona} {r.page} ({r.n}): status {r.status}" for r in rows if r.status >= 500]
    for r in rows:
        if r.n != large:
            continue
        if r.ratio > MAX_RATIO:
            out.append(f"{r.persona} {r.page}: {r.median_ms:.0f} ms = {r.ratio:.1f}× login page")
        s = by_key.get((r.persona, r.page, small))
        if small != large and s is not None and growth(s, r) > MAX_GROWTH:
            out.append(f"{r.persona} {r.page}: grows {s.ratio:.1f}× → {r.ratio:.1f}× login page")
        if r.kb > MAX_KB:
            out.append(f"{r.persona} {r.page}: {r.kb:.0f} kB")
    if pdf[large] > MAX_PDF_RATIO:
        out.append(f"stored PDF: {pdf[large]:.1f}× the login page")
    return out


def write_doc(block: str) -> None:
    start, end = f"<!-- {MARK} -->", f"<!-- /{MARK} -->"
    text = DOC.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"{DOC}: no {start} … {end} block to replace")
    text = re.sub(
        re.escape(start) + r".*?" + re.escape(end),
        lambda _m: f"{start}\n{block}\n{end}",
        text,
        flags=re.S,
    )
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="700,7000", help="trainees, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page (median)")
    parser.add_argument("--personas", default=",".join(PERSONAS))
    parser.add_argument("--base", help="database name prefix (default: DATABASE_URL's name)")
    parser.add_argument("--port", type=int, help="default: a free port")
    parser.add_argument("--rebuild", action="store_true", help="build the demo databases anew")
    parser.add_argument("--write", action="store_true", help="write the table to the docs")
    args = parser.parse_args(argv)
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (its server is used)")
    base = args.base or urlsplit(server_url).path.lstrip("/") or "lisplan_pagebench"
    sizes = sorted(int(n) for n in args.sizes.split(","))
    personas = tuple(p for p in args.personas.split(",") if p)
    (ROOT / "var").mkdir(exist_ok=True)

    rows: list[Row] = []
    login: dict[int, float] = {}
    pdf: dict[int, float] = {}
    builds: dict[int, float | None] = {}
    loads: dict[int, str] = {}
    for n in sizes:
        db_url, builds[n] = prepare(server_url, f"{base}_{n}", n, args.rebuild)
        state = _state(db_url)
        missing = set(personas) - set(state["users"])
        if missing or not state["pdf"]:
            raise SystemExit(f"{base}_{n}: no demo login {sorted(missing)} or no signed IUP")
        port = args.port or _free_port()
        server = Server(db_url, port, ROOT / "var" / f"pagebench-{n}.gunicorn.log")
        try:
            server.wait()
            bench = Bench(server.base, args.runs)
            login[n] = bench.median_login()
            measured, pdf[n] = measure(bench, n, personas, state["pdf"])
            rows += measured
            loads[n] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        finally:
            server.stop()
    block = table(rows, sizes, login, pdf, builds, args.runs, machine(server_url), loads)
    print("\n" + block + "\n")
    failed = failures(rows, sizes, pdf)
    if args.write:
        if set(personas) != set(PERSONAS):
            print("not written to the docs: only some personas were timed", file=sys.stderr)
        else:
            write_doc(block)
            print(f"written to {DOC.relative_to(ROOT)}")
    if failed:
        print("FAILED the bars of issue #18:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    print("all pages within the bars of issue #18")
    return 0


if __name__ == "__main__":
    sys.exit(main())
