from django.urls import path

from lisplan.progress import views

app_name = "progress"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("import/", views.import_upload, name="import"),
    path("import/bekreft/", views.import_confirm, name="import_confirm"),
    path("<int:pk>/", views.trainee_progress, name="trainee"),
    path("<int:pk>/aktiviteter/ny/<slug:kind>/", views.activity_add, name="activity_add"),
    path("<int:pk>/aktiviteter/<int:activity_pk>/", views.activity_edit, name="activity_edit"),
    path(
        "<int:pk>/aktiviteter/<int:activity_pk>/slett/",
        views.activity_delete,
        name="activity_delete",
    ),
    path("<int:pk>/laeringsmal/<int:goal_pk>/", views.goal_mark, name="goal_mark"),
    path("<int:pk>/laeringsmal/<int:goal_pk>/godkjenn/", views.goal_approve, name="goal_approve"),
    path("<int:pk>/tjeneste/ny/", views.service_add, name="service_add"),
    path("<int:pk>/tjeneste/<int:period_pk>/", views.service_edit, name="service_edit"),
]
