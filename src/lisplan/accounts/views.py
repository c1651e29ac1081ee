import os

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lisplan.accounts import services
from lisplan.accounts.access import public, require
from lisplan.accounts.forms import ApiTokenForm, LoginForm
from lisplan.accounts.startpage import start_sections
from lisplan.allocation.startpage import tasks_for as allocation_tasks_for
from lisplan.insights.startpage import tasks_for as insights_tasks_for
from lisplan.iup.tasks import tasks_for as iup_tasks_for
from lisplan.plans.tasks import tasks_for
from lisplan.progress.tasks import tasks_for as progress_tasks_for
from lisplan.rotations.tasks import tasks_for as rotation_tasks_for

DEMO_USERS = ["trainee", "supervisor", "leader", "education_lead", "local_coordinator",
              "regional_coordinator", "planner", "admin"]


@public
def health(request):
    return HttpResponse("ok", content_type="text/plain")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # On a local or demo installation, say which users exist (their password is "demo").
        show = settings.DEBUG or bool(os.environ.get("LISPLAN_DEMO_HINT"))
        return super().get_context_data(demo_users=DEMO_USERS if show else [], **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        user.login_method = "password+otp" if form.otp_device else "password"
        response = super().form_valid(form)
        if form.otp_device is not None:
            from django_otp import login as otp_login

            otp_login(self.request, form.otp_device)
        return response


login_view = public(LoginView.as_view())
logout_view = public(auth_views.LogoutView.as_view())


@require(None)
def home(request):
    return render(request, "accounts/home.html", {
        "sections": start_sections(request.user),
        "tasks": tasks_for(request.user) + progress_tasks_for(request.user)
        + rotation_tasks_for(request.user) + allocation_tasks_for(request.user)
        + iup_tasks_for(request.user) + insights_tasks_for(request.user)})


@require("token.manage")
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, raw = services.token_issue(actor=request.user, user=request.user,
                                          name=form.cleaned_data["name"])
        request.session["new_api_token"] = raw  # shown once, on the next page
        return redirect("api_tokens")
    return render(request, "accounts/api_tokens.html", {
        "form": form,
        "tokens": request.user.api_tokens.all(),
        "new_token": request.session.pop("new_api_token", None),
    })


@require_POST
@require("token.manage")
def api_token_revoke(request, pk: int):
    # Only the user's own keys: someone else's key is "not found".
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("API-nøkkelen %(prefix)s… er slettet.") % {"prefix": token.prefix})
    return redirect("api_tokens")
