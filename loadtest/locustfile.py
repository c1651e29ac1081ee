"""Load test (issue #18): 50 users on the demo region against `gunicorn -w 2`.

Four groups, as they use the system:

* **trainees** (weight 20, login `trainee`): the start page, their own trainee, plan, IUP and
  progress pages (the links on their start page);
* **coordinators** (weight 15, logins `local_coordinator`, `regional_coordinator`,
  `education_lead`, `leader`): the start page and every page linked from it — work lists,
  queues, conflicts, progress overviews — and the trainee list with filters;
* **planners** (weight 5, login `planner`): the register, queues, allocation runs;
* **API clients** (weight 10, tokens of `local_coordinator`): trainee list pages, a trainee's
  progress and activities, and **writes**: registering a learning activity (POST, 201).

Every page user logs in once through the login form (reported as the group «login», apart
from the rest); then picks among the links found on their start page. Requests are named by
their URL pattern (ids replaced by {id}). At the end `loadtest/report.py` reads the per-request
times this file writes (`LOADTEST_OUT`, default var/loadtest.jsonl) and prints p50/p95/p99 per
group. Run with `scripts/loadtest` (which starts gunicorn, runs locust headless and reports).
"""

from __future__ import annotations

import json
import os
import random
import re
from html.parser import HTMLParser

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo")
TOKENS = [t for t in os.environ.get("LOADTEST_API_TOKENS", "").split(",") if t]
OUT = os.environ.get("LOADTEST_OUT", "var/loadtest.jsonl")
SKIP = re.compile(
    r"^/(logg-ut|static/|admin/|api/|i18n/)|\.(ics|pdf|xlsx|csv|json)$|/logout"
    r"|/logg-inn"
    r"|/tilbakemelding/"  # redirects out of the site (mailto: or the feedback form)
)
_out = None


def pattern(path: str) -> str:
    return re.sub(r"=\d+", "={id}", re.sub(r"/\d+(?=/|$|\?)", "/{id}", path))


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
    p = _Links()
    p.feed(html)
    return [h for h in dict.fromkeys(p.links) if h and not SKIP.search(h)]


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, context, **kw):
    global _out
    if _out is None:
        os.makedirs(os.path.dirname(OUT) or ".", exist_ok=True)
        _out = open(OUT, "a", encoding="utf-8")  # noqa: SIM115 - closed at exit
    group = (context or {}).get("group", "other")
    _out.write(
        json.dumps(
            {
                "group": "login" if name == "login" else group,
                "name": name,
                "ms": response_time,
                "bytes": response_length or 0,
                "error": bool(exception),
            }
        )
        + "\n"
    )


@events.quitting.add_listener
def _close(environment, **kw):
    if _out is not None:
        _out.close()


class PageUser(HttpUser):
    abstract = True
    wait_time = between(2, 4)
    logins: tuple[str, ...] = ()
    group = "pages"

    def context(self):
        return {"group": self.group}

    def _plain_http_cookies(self):
        """The server runs without TLS here, but its cookies are marked Secure (production
        settings): let the client send them back over plain HTTP."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def on_start(self):
        self.username = random.choice(self.logins)
        page = self.client.get("/logg-inn/", name="login", context={"group": "login"})
        self._plain_http_cookies()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        response = self.client.post(
            "/logg-inn/",
            name="login",
            context={"group": "login"},
            allow_redirects=False,
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/logg-inn/"},
        )
        if response.status_code != 302:
            raise RuntimeError(f"login as {self.username} failed: {response.status_code}")
        self._plain_http_cookies()
        start = self.client.get("/", name="/", context=self.context())
        self.pages = links(start.text) or ["/"]

    @task(3)
    def start_page(self):
        start = self.client.get("/", name="/", context=self.context())
        found = links(start.text)
        if found:
            self.pages = found

    @task(10)
    def linked_page(self):
        href = random.choice(self.pages)
        self.client.get(href, name=pattern(href), context=self.context())


class Trainee(PageUser):
    weight = 20
    logins = ("trainee",)
    group = "trainee"


class Coordinator(PageUser):
    weight = 15
    logins = ("local_coordinator", "regional_coordinator", "education_lead", "leader")
    group = "coordinator"

    @task(2)
    def trainee_list_filtered(self):
        self.client.get("/leger/?q=sen", name="/leger/?q=…", context=self.context())


class Planner(PageUser):
    weight = 5
    logins = ("planner",)
    group = "planner"


class ApiClient(HttpUser):
    weight = 10
    wait_time = between(2, 4)

    def on_start(self):
        self.headers = {"Authorization": f"Bearer {random.choice(TOKENS)}"} if TOKENS else {}
        listing = self.client.get(
            "/api/v1/trainees?page_size=50",
            headers=self.headers,
            name="/api/v1/trainees",
            context={"group": "api"},
        )
        items = listing.json().get("results", []) if listing.ok else []
        self.trainees = [t["id"] for t in items] or [1]

    @task(4)
    def trainee_page(self):
        page = random.randint(1, 40)
        self.client.get(
            f"/api/v1/trainees?page_size=50&page={page}",
            headers=self.headers,
            name="/api/v1/trainees?page",
            context={"group": "api"},
        )

    @task(3)
    def progress(self):
        tid = random.choice(self.trainees)
        self.client.get(
            f"/api/v1/trainees/{tid}/progress",
            headers=self.headers,
            name="/api/v1/trainees/{id}/progress",
            context={"group": "api"},
        )

    @task(2)
    def activities(self):
        tid = random.choice(self.trainees)
        self.client.get(
            f"/api/v1/trainees/{tid}/activities",
            headers=self.headers,
            name="/api/v1/trainees/{id}/activities",
            context={"group": "api"},
        )

    @task(2)
    def register_activity(self):
        tid = random.choice(self.trainees)
        with self.client.post(
            f"/api/v1/trainees/{tid}/activities",
            headers=self.headers,
            json={
                "kind": "out_of_hours",
                "date": "2026-11-02",
                "count": 1,
                "title": "Legevakt (lasttest)",
            },
            name="POST /api/v1/trainees/{id}/activities",
            context={"group": "api-write"},
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
