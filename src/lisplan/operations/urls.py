from django.urls import path

from lisplan.operations import views

urlpatterns = [
    path("konto/mine-opplysninger/", views.my_data, name="my_data"),
    path("konto/mine-opplysninger.<str:fmt>", views.my_data_download, name="my_data_download"),
    path(
        "personvern/innsyn/<int:pk>.<str:fmt>",
        views.person_data_download,
        name="person_data_download",
    ),
    path("personvern/", views.privacy_notice, name="privacy"),
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
    path("tilbakemelding/", views.feedback, name="feedback"),
]
