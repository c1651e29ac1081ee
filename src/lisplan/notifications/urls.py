from django.urls import path

from lisplan.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("lest/", views.notification_read, name="read"),
    path("e-post/", views.email_preview_list, name="email_preview"),
    path("e-post/<str:code>/", views.email_preview_frame, name="email_preview_frame"),
    path("kalender/", views.calendar_settings, name="calendar"),
    path("kalender/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
