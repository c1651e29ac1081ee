from django.urls import path

from lisplan.accounts import views

urlpatterns = [
    path("logg-inn/", views.login_view, name="login"),
    path("logg-ut/", views.logout_view, name="logout"),
    path("logg-inn/oidc/retur/", views.oidc_callback, name="oidc_callback"),
    path("logg-inn/oidc/<slug:provider>/", views.oidc_start, name="oidc_start"),
    path("konto/api-nokler/", views.api_tokens, name="api_tokens"),
    path("konto/hvem-har-sett/", views.who_has_seen, name="who_has_seen"),
    path("konto/api-nokler/<int:pk>/slett/", views.api_token_revoke, name="api_token_revoke"),
]
