"""Deny by default: every URL of the project, page or API operation, declares its access rule.

Views declare it with `lisplan.accounts.access.require(...)` / `public`, API operations with
`lisplan.api.access.rule(...)`; both set `view.access_rule`. This test walks every URL pattern
(recursively through includes) and, for django-ninja, through each path's operations, and
fails on a view without a rule or with an unknown one. It names no view of the project, so it
keeps working as views are added — and fails as soon as one is added without a rule.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from django.urls.resolvers import RegexPattern
from django.views.i18n import set_language
from ninja import NinjaAPI
from ninja.operation import PathView

from lisplan.accounts.access import AUTHENTICATED, PERMISSIONS, PUBLIC, public, require

# The small allow-list of views that are not ours and so carry no `access_rule`.
ALLOWED_NAMESPACES = {
    "admin",  # Django's admin: its own login and superuser check (administration/apps.py)
}
ALLOWED_VIEWS: set[Callable] = {
    set_language,  # django.conf.urls.i18n: sets the language cookie; no data, CSRF-protected
}

VALID_RULES = {PUBLIC, AUTHENTICATED} | set(PERMISSIONS)


@dataclass(frozen=True)
class Endpoint:
    route: str
    name: str
    view: Callable
    method: str = ""  # for API operations

    def __str__(self) -> str:
        where = f"{self.method} {self.route}" if self.method else self.route
        return f"{where} ({self.name or '-'}: {getattr(self.view, '__qualname__', self.view)})"


def ninja_operations(callback: Callable):
    """The operations behind a django-ninja URL, or None if the callback is not ninja's.

    ninja routes each path to a closure over its `PathView`, which dispatches by method."""
    code = getattr(callback, "__code__", None)
    if code is None or "self" not in code.co_freevars:
        return None
    owner = inspect.getclosurevars(callback).nonlocals.get("self")
    if isinstance(owner, PathView):
        return owner.operations
    return None


def walk(
    resolver: URLResolver, prefix: str = "", namespaces: tuple[str, ...] = ()
) -> Iterator[Endpoint]:
    """Every view reachable through `resolver`: one Endpoint per URL, or per API operation."""
    seen_operations = set()  # ninja repeats a path's pattern once per operation on it
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespaces + ((entry.namespace,) if entry.namespace else ())
            if ALLOWED_NAMESPACES & set(ns):
                continue
            yield from walk(entry, route, ns)
            continue
        assert isinstance(entry, URLPattern)
        name = ":".join(namespaces + (entry.name or "",))
        operations = ninja_operations(entry.callback)
        if operations is None:
            yield Endpoint(route, name, entry.callback)
        else:
            for op in operations:
                if (route, id(op)) in seen_operations:
                    continue
                seen_operations.add((route, id(op)))
                op_name = getattr(op, "url_name", None) or getattr(op.view_func, "__name__", "")
                yield Endpoint(
                    route,
                    ":".join(namespaces + (op_name,)),
                    op.view_func,
                    "/".join(sorted(op.methods)),
                )


def violations(resolver: URLResolver) -> list[str]:
    problems = []
    for endpoint in walk(resolver):
        if endpoint.view in ALLOWED_VIEWS:
            continue
        rule = getattr(endpoint.view, "access_rule", None)
        if rule is None:
            problems.append(f"no access rule: {endpoint}")
        elif rule not in VALID_RULES:
            problems.append(f"unknown access rule {rule!r}: {endpoint}")
    return problems


def fake_resolver(urlpatterns: list) -> URLResolver:
    """A root resolver over `urlpatterns`, as `get_resolver()` builds one for a urlconf."""
    return URLResolver(RegexPattern(r"^/"), urlpatterns)


# --- the project ----------------------------------------------------------------------------


def test_every_view_of_the_project_declares_an_access_rule():
    assert violations(get_resolver()) == []


def test_the_walk_reaches_pages_and_api_operations():
    endpoints = list(walk(get_resolver()))
    routes = {e.route for e in endpoints}
    assert any(r.startswith("api/v1/") for r in routes)
    api_ops = [e for e in endpoints if e.method]
    assert {e.view.access_rule for e in api_ops} >= {"trainee.view", "catalogue.view"}
    assert any(e.name == "health" for e in endpoints)


def test_every_api_operation_is_walked():
    """Cross-check through ninja's own routers that the URL walk saw every operation."""
    from lisplan.api.main import api

    walked = {e.view for e in walk(get_resolver()) if e.method}
    registered = {
        op.view_func
        for bound in api._get_bound_routers()
        for path_view in bound.path_operations.values()
        for op in path_view.operations
    }
    assert registered and registered <= walked


# --- the walker really fails -------------------------------------------------------------------


def _undeclared(request):
    return HttpResponse("secret")


@require("trainee.view")
def _declared(request):
    return HttpResponse("ok")


def test_walker_flags_an_undeclared_view_in_a_nested_include():
    nested = [path("ok/", _declared, name="ok"), path("leak/", _undeclared, name="leak")]
    resolver = fake_resolver(
        [
            path("", public(lambda request: HttpResponse())),
            path("leger/", include((nested, "fake"), namespace="fake")),
        ]
    )
    problems = violations(resolver)
    assert len(problems) == 1
    assert "leger/leak/" in problems[0] and "fake:leak" in problems[0]


def test_walker_flags_an_unknown_rule():
    def view(request):
        return HttpResponse()

    view.access_rule = "plan.everything"
    assert "unknown access rule" in violations(fake_resolver([path("x/", view)]))[0]


def test_walker_flags_an_undeclared_api_operation():
    from lisplan.api.access import rule
    from lisplan.api.main import urls_of

    fake_api = NinjaAPI(urls_namespace="fake-api")

    @fake_api.get("/declared")
    @rule("catalogue.view")
    def declared(request):
        return {}

    @fake_api.get("/mixed")
    @rule(None)
    def mixed_get(request):
        return {}

    @fake_api.post("/mixed")
    def mixed_post(request):  # no rule
        return {}

    problems = violations(fake_resolver([path("api/", urls_of(fake_api))]))
    assert len(problems) == 1
    assert "POST api/mixed" in problems[0]
    # and the schema, docs and root views need a rule as well
    bare = violations(fake_resolver([path("api/", fake_api.urls)]))
    assert {p.split(" (")[0] for p in bare} == {
        "no access rule: POST api/mixed",
        "no access rule: api/openapi.json",
        "no access rule: api/docs",
        "no access rule: api/",
    }


def test_set_language_is_allowed_through():
    problems = violations(fake_resolver([path("i18n/", include("django.conf.urls.i18n"))]))
    assert problems == []
