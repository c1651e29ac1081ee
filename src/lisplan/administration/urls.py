from django.urls import path

from lisplan.administration import views

app_name = "administration"
urlpatterns = [
    path("", views.index, name="index"),
    path("brukere/", views.user_list, name="users"),
    path("brukere/ny/", views.user_create, name="user_create"),
    path("brukere/<int:pk>/", views.user_detail, name="user"),
    path("brukere/<int:pk>/endre/", views.user_edit, name="user_edit"),
    path("brukere/<int:pk>/deaktiver/", views.user_deactivate, name="user_deactivate"),
    path("brukere/<int:pk>/aktiver/", views.user_reactivate, name="user_reactivate"),
    path("brukere/<int:pk>/roller/ny/", views.role_add, name="role_add"),
    path("brukere/<int:pk>/roller/<int:role_pk>/avslutt/", views.role_end, name="role_end"),
    path("virksomheter/", views.institution_list, name="institutions"),
    path("virksomheter/ny/", views.institution_create, name="institution_create"),
    path("virksomheter/<int:pk>/", views.institution_detail, name="institution"),
    path("virksomheter/<int:pk>/endre/", views.institution_edit, name="institution_edit"),
    path("virksomheter/<int:pk>/arenaer/ny/", views.arena_create, name="arena_create"),
    path(
        "virksomheter/<int:pk>/arenaer/<int:arena_pk>/endre/",
        views.arena_edit,
        name="arena_edit",
    ),
    path("katalog/", views.specialty_list, name="specialties"),
    path("katalog/import/", views.goal_import, name="goal_import"),
    path("katalog/import/bekreft/", views.goal_import_confirm, name="goal_import_confirm"),
    path("katalog/<str:code>/", views.specialty_detail, name="specialty"),
    path("katalog/<str:code>/endre/", views.specialty_edit, name="specialty_edit"),
]
