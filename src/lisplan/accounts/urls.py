from django.urls import path

from lisplan.accounts import views

urlpatterns = [
    path("logg-inn/", views.login_view, name="login"),
    path("logg-ut/", views.logout_view, name="logout"),
    path("konto/api-nokler/", views.api_tokens, name="api_tokens"),
    path("konto/api-nokler/<int:pk>/slett/", views.api_token_revoke, name="api_token_revoke"),
]
