"""URLs of dimensioning, under /dimensjonering/ (namespace `dimensioning`)."""

from django.urls import path

from lisplan.dimensioning import views

app_name = "dimensioning"
urlpatterns = [
    path("", views.index, name="index"),
    path("ny/", views.run_new, name="new"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/framdrift/", views.run_progress, name="progress"),
    path("<int:pk>/eksport/<str:table>/", views.run_export, name="export"),
    path("scenarioer/", views.scenario_list, name="scenarios"),
    path("scenarioer/eksport/", views.scenario_export, name="scenario_export"),
    path("scenarioer/kjor/", views.scenario_run_all, name="scenario_run_all"),
    path("scenarioer/ny/", views.scenario_new, name="scenario_new"),
    path("scenarioer/<int:pk>/", views.scenario_detail, name="scenario"),
    path("data/", views.data_list, name="data"),
]
