from django.urls import path

from lisplan.trainees import views

app_name = "trainees"
urlpatterns = [
    path("", views.trainee_list, name="list"),
    path("<int:pk>/", views.trainee_detail, name="detail"),
    path("<int:pk>/ansettelser/ny/", views.employment_add, name="employment_add"),
    path(
        "<int:pk>/ansettelser/<int:employment_pk>/", views.employment_edit, name="employment_edit"
    ),
    path("<int:pk>/permisjoner/ny/", views.leave_add, name="leave_add"),
    path("<int:pk>/veiledere/ny/", views.supervision_add, name="supervision_add"),
    path(
        "<int:pk>/veiledere/<int:supervision_pk>/avslutt/",
        views.supervision_end,
        name="supervision_end",
    ),
]
