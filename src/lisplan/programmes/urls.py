from django.urls import path

from lisplan.programmes import views

app_name = "programmes"
urlpatterns = [
    # public: no login, no personal data; the stable address of the current published version
    path("utdanningsplan/<str:institution>/<str:specialty>/", views.public_plan, name="public"),
    path(
        "utdanningsplan/<str:institution>/<str:specialty>/pdf/", views.public_pdf, name="public_pdf"
    ),
    # the institutions' plans (signed in)
    path("virksomhetsplaner/", views.plan_list, name="list"),
    path("virksomhetsplaner/ny/", views.plan_create, name="create"),
    path("virksomhetsplaner/<int:pk>/", views.plan_detail, name="detail"),
    path("virksomhetsplaner/<int:pk>/rediger/", views.plan_edit, name="edit"),
    path("virksomhetsplaner/<int:pk>/publiser/", views.plan_publish, name="publish"),
    path("virksomhetsplaner/<int:pk>/slett/", views.plan_delete, name="delete"),
    path("virksomhetsplaner/<int:pk>/ny-versjon/", views.plan_revise, name="revise"),
    path("virksomhetsplaner/<int:pk>/pdf/", views.plan_pdf, name="pdf"),
    # the coverage map and gaps
    path("dekning/", views.coverage_region, name="coverage"),
    path("dekning/laeringsmal/", views.goal_search, name="goal_search"),
    path("dekning/laeringsmal/<str:code>/", views.coverage_goal, name="goal"),
    path(
        "dekning/virksomhet/<int:institution_id>/<int:specialty_id>/",
        views.coverage_institution,
        name="institution",
    ),
    path("dekning/mangler/", views.gap_report, name="gaps"),
]
