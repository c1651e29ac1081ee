from django.urls import path

from lisplan.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("lest/", views.notification_read, name="read"),
]
