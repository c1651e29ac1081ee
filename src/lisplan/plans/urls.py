from django.urls import path

from lisplan.plans import views

app_name = "plans"
urlpatterns = [
    path("lege/<int:trainee_id>/", views.trainee_plans, name="trainee"),
    path("lege/<int:trainee_id>/ny/", views.plan_create, name="create"),
    path("revisjon/<int:pk>/", views.revision_detail, name="revision"),
    path("revisjon/<int:pk>/pdf/", views.revision_pdf, name="pdf"),
    path("revisjon/<int:pk>/rediger/", views.revision_edit, name="edit"),
    path("revisjon/<int:pk>/rediger/kontroll/", views.revision_check, name="check"),
    path("revisjon/<int:pk>/rediger/ny-rad/", views.period_row, name="period_row"),
    path("revisjon/<int:pk>/rediger/avdelinger/", views.arena_options, name="arena_options"),
    path(
        "revisjon/<int:pk>/rediger/samarbeidsavtaler/",
        views.agreement_selects,
        name="agreement_selects",
    ),
    path("revisjon/<int:pk>/send/", views.revision_submit, name="submit"),
    path("revisjon/<int:pk>/signer/", views.revision_sign, name="sign"),
    path("revisjon/<int:pk>/trekk-tilbake/", views.revision_withdraw, name="withdraw"),
    path("revisjon/<int:pk>/godkjenn/", views.revision_approve, name="approve"),
    path("revisjon/<int:pk>/returner/", views.revision_return, name="return"),
    path("revisjon/<int:pk>/ny-revisjon/", views.revision_revise, name="revise"),
    path("til-signering/", views.to_sign, name="to_sign"),
    path("arbeidsliste/", views.work_list, name="work_list"),
    path("arbeidsliste/paminnelse/", views.work_list_remind, name="remind"),
]
