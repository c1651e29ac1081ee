"""URLs of allocation runs, under /fordeling/ (namespace `allocation`)."""

from django.urls import path

from lisplan.allocation import views

app_name = "allocation"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("ny/", views.run_new, name="new"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/framdrift/", views.run_progress, name="progress"),
    path("<int:pk>/tilbud/", views.run_offer, name="offer"),
    path("innstillinger/", views.policy_list, name="policies"),
    path("innstillinger/<int:region>/", views.policy_edit, name="policy"),
]
