from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render

from lisplan.accounts.access import public, require, roles_summary


@public
def health(request):
    return HttpResponse("ok", content_type="text/plain")


login_view = public(auth_views.LoginView.as_view(redirect_authenticated_user=True))
logout_view = public(auth_views.LogoutView.as_view())


@require(None)
def home(request):
    return render(request, "accounts/home.html", {"assignments": roles_summary(request.user)})
