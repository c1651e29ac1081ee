"""URLs of the rotations app, under /rotasjon/ (namespace `rotations`)."""

from django.urls import path

from lisplan.rotations import export_views, views

app_name = "rotations"
urlpatterns = [
    path("", views.request_list, name="requests"),
    path("mine/", views.own_requests, name="own"),
    path("fiktiv-enhet/", views.register, name="register"),
    path("fiktiv-enhet/<int:trainee_pk>/oppdater/", views.register_sync, name="register_sync"),
    path("lege/<int:trainee_pk>/nytt-onske/", views.request_add, name="request_add"),
    path("onske/<int:pk>/", views.request_detail, name="request"),
    path("onske/<int:pk>/innmelding.pdf", export_views.export_pdf, name="export_pdf"),
    path("onske/<int:pk>/innmelding.json", export_views.export_json, name="export_json"),
    path("onske/<int:pk>/svar-fra-mottaker/", export_views.export_answer, name="export_answer"),
    *[
        path(
            f"onske/<int:pk>/{views.ACTION_SLUGS[name]}/",
            view,
            name=f"request_{name.replace('-', '_')}",
        )
        for name, view in views.ACTION_VIEWS.items()
    ],
    path("koer/", views.queue_list, name="queues"),
    path("konflikter/", views.conflict_list, name="conflicts"),
    path("fagavtaler/", views.agreement_list, name="agreements"),
    path("fagavtaler/ny/", views.agreement_add, name="agreement_add"),
    path("fagavtaler/<int:pk>/", views.agreement_detail, name="agreement"),
    path("fagavtaler/<int:pk>/endre/", views.agreement_edit, name="agreement_edit"),
    path(
        "fagavtaler/<int:pk>/signert-avtale/", views.agreement_document, name="agreement_document"
    ),
    path("ledige/", views.vacancy_list, name="vacancies"),
    path("ledige/ny/", views.vacancy_add, name="vacancy_add"),
    path("ledige/<int:pk>/", views.vacancy_detail, name="vacancy"),
    path("ledige/<int:pk>/velg/", views.vacancy_select, name="vacancy_select"),
    path("ledige/<int:pk>/lukk/", views.vacancy_close, name="vacancy_close"),
]
