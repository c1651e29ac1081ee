from django.urls import path

app_name = "trainees"
urlpatterns: list = []
