"""The REST API (``/api/v1/``): one NinjaAPI, a router per app.

Each app's operations are a thin adapter in ``lisplan/<app>/api.py`` (schemas in
``<app>/schemas.py``) that calls the app's services and queries — the same ones its pages call.
Contract: docs api.md. Conventions live in one place each here: auth in ``auth``, the error
format in ``errors``, paging in ``pagination``, shared field types in ``params``, the access
decorator in ``access``.
"""

from __future__ import annotations

import inspect

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.operation import PathView
from ninja.renderers import JSONRenderer

from lisplan.accounts import api as accounts_api
from lisplan.accounts.access import public
from lisplan.allocation import api as allocation_api
from lisplan.api import errors
from lisplan.api.auth import AUTH
from lisplan.catalogue import api as catalogue_api
from lisplan.confirmations import api as confirmations_api
from lisplan.dimensioning import api as dimensioning_api
from lisplan.insights import api as insights_api
from lisplan.iup import api as iup_api
from lisplan.organisations import api as organisations_api
from lisplan.plans import api as plans_api
from lisplan.programmes import api as programmes_api
from lisplan.progress import api as progress_api
from lisplan.rotations import api as rotations_api
from lisplan.trainees import api as trainees_api


class Utf8JSON(JSONRenderer):
    """«æøå» as themselves rather than as \\u escapes (still valid JSON, easier to read)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="lisplan API",
    version="1",
    description=(
        "Planlegging av spesialistutdanningen for leger. Autentisering: "
        "`Authorization: Bearer <API-nøkkel>` eller innlogget nettleserøkt. "
        'Lister er sidedelt: `?page=N&page_size=M` gir `{"count": …, "results": […]}`. '
        'Feil: `{"detail": …, "errors": [{"field", "code", "message"}]}`.'
    ),
    urls_namespace="api",
    auth=AUTH,
    renderer=Utf8JSON(),
)
errors.install(api)

# One line per app: each app's operations live in `<app>/api.py` (a ninja Router) with its
# schemas in `<app>/schemas.py` (decision 0011).
api.add_router("", accounts_api.router)
api.add_router("", catalogue_api.router)
api.add_router("", organisations_api.router)
api.add_router("", trainees_api.router)
api.add_router("", plans_api.router)
api.add_router("", iup_api.router)
api.add_router("", progress_api.router)
api.add_router("", rotations_api.router)
api.add_router("", allocation_api.router)
api.add_router("", insights_api.router)
api.add_router("", programmes_api.router)
api.add_router("", dimensioning_api.router)
api.add_router("", confirmations_api.router)


def urls_of(ninja_api: NinjaAPI):
    """`ninja_api.urls` for `path("", …)`, with the schema, the interactive docs and the API root (a
    404 pointing to the docs) marked public: they carry no data. Every operation declares its
    own rule (`lisplan.api.access.rule`)."""
    patterns, app_name, namespace = ninja_api.urls
    for pattern in patterns:
        if pattern.name in {"openapi-json", "openapi-view", "api-root"}:
            public(pattern.callback)
        code = getattr(pattern.callback, "__code__", None)
        owner = (
            inspect.getclosurevars(pattern.callback).nonlocals.get("self")
            if code is not None and "self" in code.co_freevars
            else None
        )
        if isinstance(owner, PathView):
            errors.json_method_not_allowed(owner)  # a JSON 405, not ninja's plain text
    return patterns, app_name, namespace


@public
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/: a 404 in the API's error format rather than an HTML page."""
    return JsonResponse(
        errors.error_body(_("Ukjent adresse i API-et.")),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
