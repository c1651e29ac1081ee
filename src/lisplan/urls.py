from django.contrib import admin
from django.urls import include, path

from lisplan.accounts import views as account_views
from lisplan.operations.health import health

urlpatterns = [
    path("", account_views.home, name="home"),
    path("helse/", health, name="health"),
    path("", include("lisplan.accounts.urls")),
    path("", include("lisplan.operations.urls")),
    path("leger/", include("lisplan.trainees.urls")),
    path("planer/", include("lisplan.plans.urls")),
    path("progresjon/", include("lisplan.progress.urls")),
    path("utdanningsplaner/", include("lisplan.iup.urls")),
    path("rotasjon/", include("lisplan.rotations.urls")),
    path("fordeling/", include("lisplan.allocation.urls")),
    path("dimensjonering/", include("lisplan.dimensioning.urls")),
    path("varsler/", include("lisplan.notifications.urls")),
    path("innsikt/", include("lisplan.insights.urls")),
    path("tjenestebekreftelser/", include("lisplan.confirmations.urls")),
    path("", include("lisplan.programmes.urls")),
    path("administrasjon/", include("lisplan.administration.urls")),
    path("api/v1/", include("lisplan.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
