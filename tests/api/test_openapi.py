"""The schema and the docs are served, and list the paths of the contract (api.md)."""

from __future__ import annotations

from django.test import Client

CONTRACT = [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/specialties"),
    ("get", "/api/v1/learning-goals"),
    ("get", "/api/v1/institutions"),
    ("get", "/api/v1/arenas"),
    ("get", "/api/v1/trainees"),
    ("get", "/api/v1/trainees/{id}"),
]


def test_openapi_schema_lists_the_contract(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "lisplan API"
    assert schema["info"]["version"] == "1"
    for method, path in CONTRACT:
        assert method in schema["paths"].get(path, {}), path
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    params = {p["name"] for p in schema["paths"]["/api/v1/trainees"]["get"]["parameters"]}
    assert {"page", "page_size", "institution", "specialty", "q", "permanent"} <= params
    page = schema["components"]["schemas"]["TraineePage"]
    assert set(page["properties"]) == {"count", "results"}


def test_docs_page(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_schema_names_are_unique():
    """ninja files every schema under its class name in `components.schemas`: two classes with
    one name would silently document one of them with the other's fields (found by fuzzing)."""
    import importlib
    import importlib.util
    import pkgutil

    from pydantic import BaseModel

    import lisplan

    owners: dict[str, set[str]] = {}
    modules = [
        f"lisplan.api.{info.name}"
        for info in pkgutil.iter_modules(importlib.import_module("lisplan.api").__path__)
    ]
    for app in pkgutil.iter_modules(lisplan.__path__):  # each app's api.py and schemas.py
        for name in ("api", "schemas"):
            if app.ispkg and importlib.util.find_spec(f"lisplan.{app.name}.{name}") is not None:
                modules.append(f"lisplan.{app.name}.{name}")
    for module_name in modules:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ in modules
            ):
                owners.setdefault(value.__name__, set()).add(
                    f"{value.__module__}.{value.__qualname__}"
                )
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}
