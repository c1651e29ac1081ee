"""The REST API (``/api/v1/``): one NinjaAPI, a router per area.

Contract: docs api.md. Conventions live in one place each: auth in ``auth``, the error format
in ``errors``, paging in ``pagination``, access rules in ``rules``.
"""

from __future__ import annotations

import inspect

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.operation import PathView
from ninja.renderers import JSONRenderer

from lisplan.accounts.access import public
from lisplan.api import (
    allocation,
    catalogue,
    errors,
    iup,
    me,
    organisations,
    plans,
    progress,
    rotations,
    trainees,
)
from lisplan.api.auth import AUTH
from lisplan.programmes import api as programmes_api


class Utf8JSON(JSONRenderer):
    """«æøå» as themselves rather than as \\u escapes (still valid JSON, easier to read)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="lisplan API",
    version="1",
    description=(
        "Planlegging av spesialistutdanningen for leger. Autentisering: "
        "`Authorization: Bearer <API-nøkkel>` eller innlogget nettleserøkt. "
        "Lister er sidedelt: `?page=N&page_size=M` gir `{\"count\": …, \"results\": […]}`. "
        "Feil: `{\"detail\": …, \"errors\": [{\"field\", \"code\", \"message\"}]}`."
    ),
    urls_namespace="api",
    auth=AUTH,
    renderer=Utf8JSON(),
)
errors.install(api)

api.add_router("", me.router)
api.add_router("", catalogue.router)
api.add_router("", organisations.router)
api.add_router("", trainees.router)
api.add_router("", plans.router)
api.add_router("", iup.router)
api.add_router("", progress.router)
api.add_router("", rotations.router)
api.add_router("", allocation.router)
api.add_router("", programmes_api.router)


def urls_of(ninja_api: NinjaAPI):
    """`ninja_api.urls` for `path("", …)`, with the schema, the interactive docs and the API root (a
    404 pointing to the docs) marked public: they carry no data. Every operation declares its
    own rule (`lisplan.api.rules.rule`)."""
    patterns, app_name, namespace = ninja_api.urls
    for pattern in patterns:
        if pattern.name in {"openapi-json", "openapi-view", "api-root"}:
            public(pattern.callback)
        code = getattr(pattern.callback, "__code__", None)
        owner = (inspect.getclosurevars(pattern.callback).nonlocals.get("self")
                 if code is not None and "self" in code.co_freevars else None)
        if isinstance(owner, PathView):
            errors.json_method_not_allowed(owner)  # a JSON 405, not ninja's plain text
    return patterns, app_name, namespace


@public
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a 404 in the API's error format rather than an HTML page."""
    return JsonResponse(errors.error_body(_("Ukjent adresse i API-et.")), status=404,
                        json_dumps_params={"ensure_ascii": False})
