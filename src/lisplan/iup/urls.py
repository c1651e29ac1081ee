from django.urls import path

from lisplan.iup import output_views, views

app_name = "iup"
urlpatterns = [
    path("lege/<int:trainee_id>/", views.trainee_plans, name="trainee"),
    path("lege/<int:trainee_id>/ny/", views.plan_create, name="create"),
    path("revisjon/<int:pk>/", views.revision_detail, name="revision"),
    path("revisjon/<int:pk>/rediger/", views.revision_edit, name="edit"),
    path("revisjon/<int:pk>/send/", views.revision_submit, name="submit"),
    path("revisjon/<int:pk>/signer/", views.revision_sign, name="sign"),
    path("revisjon/<int:pk>/trekk-tilbake/", views.revision_withdraw, name="withdraw"),
    path("revisjon/<int:pk>/ny-revisjon/", views.revision_revise, name="revise"),
    path("revisjon/<int:pk>/bruk-mal/", views.template_apply, name="apply_template"),
    path("til-signering/", views.to_sign, name="to_sign"),
    path("maler/", views.templates, name="templates"),
    path(
        "maler/<int:institution_id>/<int:specialty_id>/", views.template_edit, name="template_edit"
    ),
    path("arbeidsliste/", views.work_list, name="work_list"),
    path("kompletthet/", views.report, name="report"),
    # outputs (PDF, ALIS field-name export): lisplan.iup.output_views
    path("revisjon/<int:pk>/pdf/", output_views.revision_pdf, name="pdf"),
    path("revisjon/<int:pk>/skjemafelt.json", output_views.alis_fields_json, name="fields_json"),
    path("revisjon/<int:pk>/skjemafelt.pdf", output_views.alis_fields_pdf, name="fields_pdf"),
]
