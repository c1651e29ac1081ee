from django.urls import path

from lisplan.confirmations import views

app_name = "confirmations"
urlpatterns = [
    path("lege/<int:trainee_id>/", views.trainee_confirmations, name="trainee"),
    path("lege/<int:trainee_id>/bestill/", views.confirmation_request, name="request"),
    path("<int:pk>/", views.version_detail, name="version"),
    path("<int:pk>/utsted/", views.confirmation_issue, name="issue"),
    path("<int:pk>/avsla/", views.confirmation_decline, name="decline"),
    path("<int:pk>/send-tilbake/", views.confirmation_return, name="return"),
    path("<int:pk>/signer/", views.confirmation_sign, name="sign"),
    path("<int:pk>/pdf/", views.confirmation_pdf, name="pdf"),
    path("til-utstedelse/", views.work_list, name="work_list"),
]
