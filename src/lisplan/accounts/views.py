import os
import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lisplan.accounts import services
from lisplan.accounts.access import own_trainee_id, public, require
from lisplan.accounts.forms import ApiTokenForm, LoginForm
from lisplan.accounts.startpage import start_sections
from lisplan.allocation.startpage import tasks_for as allocation_tasks_for
from lisplan.confirmations.startpage import tasks_for as confirmation_tasks_for
from lisplan.insights.startpage import tasks_for as insights_tasks_for
from lisplan.iup.startpage import tasks_for as iup_tasks_for
from lisplan.plans.startpage import tasks_for
from lisplan.programmes.startpage import tasks_for as programme_tasks_for
from lisplan.progress.startpage import tasks_for as progress_tasks_for
from lisplan.rotations.startpage import tasks_for as rotation_tasks_for

DEMO_USERS = [
    "trainee",
    "supervisor",
    "leader",
    "education_lead",
    "local_coordinator",
    "regional_coordinator",
    "planner",
    "admin",
]


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # On a local or demo installation, say which users exist (their password is "demo").
        show = settings.DEBUG or bool(os.environ.get("LISPLAN_DEMO_HINT"))
        from lisplan.accounts.oidc import providers

        nxt = self.request.GET.get("next", "")
        return super().get_context_data(
            demo_users=DEMO_USERS if show else [],
            oidc_providers=[
                {
                    "label": p.label,
                    "url": reverse("oidc_start", args=[p.key])
                    + (f"?next={quote(nxt)}" if nxt else ""),
                }
                for p in providers().values()
            ],
            **kwargs,
        )

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
    tasks = (
        tasks_for(request.user)
        + progress_tasks_for(request.user)
        + rotation_tasks_for(request.user)
        + allocation_tasks_for(request.user)
        + iup_tasks_for(request.user)
        + programme_tasks_for(request.user)
        + insights_tasks_for(request.user)
        + confirmation_tasks_for(request.user)
    )
    # links without a count: shortcuts, except a trainee's own pages (menu and overview have them)
    own = own_trainee_id(request.user) is not None
    return render(
        request,
        "accounts/home.html",
        {
            "sections": start_sections(request.user),
            "waiting": [t for t in tasks if t["count"]],
            "done": [t for t in tasks if t["count"] == 0],
            "shortcuts": [] if own else [t for t in tasks if t["count"] is None],
        },
    )


@require("token.manage")
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, raw = services.token_issue(
            actor=request.user,
            user=request.user,
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(),
        )
        request.session["new_api_token"] = raw  # shown once, on the next page
        return redirect("api_tokens")
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": request.user.api_tokens.all(),
            "new_token": request.session.pop("new_api_token", None),
        },
    )


@require_POST
@require("token.manage")
def api_token_revoke(request, pk: int):
    # Only the user's own keys: someone else's key is "not found".
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("API-nøkkelen %(prefix)s… er slettet.") % {"prefix": token.prefix})
    return redirect("api_tokens")


# --- OpenID Connect (HelseID, Entra ID): the protocol is in accounts/oidc.py ----------------

OIDC_SESSION_KEY = "lp_oidc_pending"
OIDC_MAX_AGE = 10 * 60  # seconds between leaving for the provider and coming back


def _oidc_failed(request, provider_label: str, reason: str, detail: str = ""):
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.send(
        sender=__name__,
        request=request,
        credentials={"username": f"oidc:{provider_label}", "reason": reason},
    )
    messages.error(
        request,
        _(
            "Innloggingen med %(provider)s mislyktes. Prøv igjen. Skjer det "
            "igjen, kontakt brukerstøtte og oppgi tidspunktet."
        )
        % {"provider": provider_label},
    )
    return redirect("login")


@public
def oidc_start(request, provider: str):
    from django.http import Http404

    from lisplan.accounts import oidc

    config = oidc.get_provider(provider)
    if config is None:
        raise Http404
    from lisplan.operations.origin import base_url

    redirect_uri = base_url() + reverse("oidc_callback")
    try:
        url, pending = oidc.begin(config, redirect_uri)
    except oidc.OIDCError as exc:
        return _oidc_failed(request, config.label, exc.reason)
    nxt = request.GET.get("next", "")
    pending["next"] = (
        nxt
        if url_has_allowed_host_and_scheme(
            nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else ""
    )
    # Several tabs may sign in at once: keep each pending sign-in by its state.
    waiting = {
        k: v
        for k, v in request.session.get(OIDC_SESSION_KEY, {}).items()
        if time.time() - v["started"] < OIDC_MAX_AGE
    }
    waiting[pending["state"]] = pending
    request.session[OIDC_SESSION_KEY] = waiting
    return redirect(url)


@public
def oidc_callback(request):
    from django.contrib.auth import login

    from lisplan.accounts import oidc
    from lisplan.jsonlog import security_event

    state = request.GET.get("state", "")
    waiting = request.session.get(OIDC_SESSION_KEY, {})
    pending = waiting.pop(state, None) if state else None
    request.session[OIDC_SESSION_KEY] = waiting
    config = oidc.get_provider(pending["provider"]) if pending else None
    if pending is None or config is None or time.time() - pending["started"] > OIDC_MAX_AGE:
        return _oidc_failed(request, "OpenID Connect", "bad_state")
    if request.GET.get("error") or not request.GET.get("code"):
        return _oidc_failed(
            request, config.label, "provider_error", request.GET.get("error", "no code")[:100]
        )
    try:
        tokens = oidc.exchange_code(config, request.GET["code"], pending)
        claims = oidc.validate_id_token(config, tokens["id_token"], pending["nonce"])
    except oidc.OIDCError as exc:
        security_event("oidc.refused", request, provider=config.key, reason=exc.reason)
        return _oidc_failed(request, config.label, exc.reason)
    user, created = services.external_sign_in(
        provider=config.key, issuer=config.issuer, claims=claims
    )
    if not user.is_active:
        return _oidc_failed(request, config.label, "inactive")
    user.login_method = config.key
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if created:
        security_event("user.created_by_sign_in", request, provider=config.key)
    return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)


@require(None)
def who_has_seen(request):
    """«Hvem har sett mine opplysninger»: the read-access log of the user's own trainee record."""
    from django.core.paginator import Paginator

    from lisplan.accounts.models import Role
    from lisplan.audit.models import ReadAccess

    trainee = getattr(request.user, "trainee", None) if hasattr(request.user, "trainee") else None
    page = None
    if trainee is not None:
        rows = ReadAccess.objects.filter(trainee_id=trainee.pk).only(
            "at", "actor_name", "roles", "object_type", "object_repr", "action"
        )
        page = Paginator(rows, settings.PAGE_SIZE).get_page(request.GET.get("side"))
        from django.apps import apps

        labels = dict(Role.choices)
        for row in page.object_list:
            row.role_labels = ", ".join(str(labels.get(r, r)) for r in row.roles.split(",") if r)
            try:
                kind = apps.get_model(row.object_type)._meta.verbose_name
                row.what = f"{str(kind)[:1].upper()}{str(kind)[1:]}: {row.object_repr}"
            except LookupError:
                row.what = row.object_repr
    return render(request, "accounts/who_has_seen.html", {"trainee": trainee, "page": page})
