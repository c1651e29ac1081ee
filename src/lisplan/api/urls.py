from django.urls import path, re_path

from lisplan.api.main import api, not_found, urls_of

urlpatterns = [
    path("", urls_of(api)),
    re_path(r"^.+$", not_found),  # last: unknown paths get a JSON 404 too
]
