"""OpenID Connect sign-in end to end against a fake provider started by the tests (issue 16, C):
HelseID (PAR, private_key_jwt, PKCE S256; the redirect carries only client_id and
request_uri) and Entra ID (standard code flow with a client secret, per tenant), users keyed on
(issuer, subject), the HPR number linked, the national identity number never stored, and each
bad ID token refused."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.cache import cache
from django.urls import reverse
from joserfc.jwk import RSAKey

from lisplan.accounts.models import ExternalIdentity, User
from lisplan.accounts.oidc_config import Provider, providers_from_env
from lisplan.audit.models import AuditEvent
from tests import factories as f
from tests.accounts.fake_op import FakeProvider

PID = "01017012345"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def helseid(settings, tmp_path):
    client_key = RSAKey.generate_key(2048, parameters={"kid": "client-1"})
    key_file = tmp_path / "helseid-client.jwk"
    key_file.write_text(json.dumps(client_key.as_dict(private=True)))
    public = RSAKey.import_key(client_key.as_dict(private=False))
    with FakeProvider("lisplan-test", client_public_key=public, par=True) as op:
        op.claims.update(
            {
                "helseid://claims/hpr/hpr_number": "123456789",
                "helseid://claims/identity/pid": PID,
                "name": "Hanne Helse",
            }
        )
        settings.LISPLAN_OIDC_PROVIDERS = {
            "helseid": Provider(
                key="helseid",
                label="HelseID",
                issuer=op.url,
                client_id="lisplan-test",
                private_key_file=str(key_file),
                scopes=("openid", "profile", "helseid://scopes/hpr/hpr_number"),
                use_par=True,
            )
        }
        yield op


@pytest.fixture
def entra(settings):
    with FakeProvider("entra-app", client_secret="s3cret", par=False) as op:
        op.claims = {
            "sub": "entra-sub-9",
            "given_name": "Erik",
            "family_name": "Entra",
            "preferred_username": "erik@unn.no",
            "tid": "tenant-unn",
        }
        settings.LISPLAN_OIDC_PROVIDERS = {
            "entra_unn": Provider(
                key="entra_unn",
                label="Entra ID (UNN)",
                issuer=op.url,
                client_id="entra-app",
                client_secret="s3cret",
                use_par=False,
            )
        }
        yield op


def sign_in(client, provider: str, op: FakeProvider, next_url: str = ""):
    """Browser steps: lisplan → provider → back to lisplan's callback."""
    start = reverse("oidc_start", args=[provider]) + (f"?next={next_url}" if next_url else "")
    response = client.get(start)
    assert response.status_code == 302, response.content[:500]
    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=5)
    if at_provider.status_code != 302:
        return response, at_provider
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("oidc_callback")
    return response, client.get(back.path + "?" + back.query)


@pytest.mark.django_db
def test_helseid_sign_in_with_par_private_key_jwt_and_pkce(client, helseid, caplog):
    caplog.set_level(logging.INFO, logger="lisplan.security")
    trainee = f.TraineeFactory(hpr_number="123456789", user=None)
    page = client.get(reverse("login")).content.decode()
    assert "Logg inn med HelseID" in page

    start, done = sign_in(client, "helseid", helseid, next_url="/leger/")
    # The browser only ever saw client_id and request_uri.
    query = parse_qs(urlsplit(start["Location"]).query)
    assert set(query) == {"client_id", "request_uri"}
    assert helseid.authorize_queries[-1].keys() == {"client_id", "request_uri"}
    # PAR and the token request authenticated with a signed client assertion (twice).
    assert len(helseid.assertions) == 2
    pushed_scope = helseid.codes == {} and helseid.assertions[0]["aud"] == helseid.url
    assert pushed_scope
    assert done.status_code == 302 and done["Location"] == "/leger/"

    identity = ExternalIdentity.objects.get(issuer=helseid.url, subject="subject-123")
    user = identity.user
    assert str(client.session["_auth_user_id"]) == str(user.pk)
    assert (user.first_name, user.last_name, user.hpr_number) == ("Hanne", "Helse", "123456789")
    assert not user.has_usable_password()
    trainee.refresh_from_db()
    assert trainee.user == user  # linked by the HPR number
    assert AuditEvent.objects.filter(action="trainee.user_linked").exists()
    # The national identity number is stored nowhere and logged nowhere.
    for model in (User, ExternalIdentity, AuditEvent):
        for row in model.objects.all().values():
            assert PID not in json.dumps(row, default=str)
    assert PID not in caplog.text
    assert any(
        r.fields["event"] == "login.succeeded" and r.fields["method"] == "helseid"
        for r in caplog.records
        if r.name == "lisplan.security"
    )

    # Second sign-in: the same user, found by (issuer, subject).
    client.post(reverse("logout"))
    sign_in(client, "helseid", helseid)
    assert (
        ExternalIdentity.objects.count() == 1
        and User.objects.filter(hpr_number="123456789").count() == 1
    )
    assert str(client.session["_auth_user_id"]) == str(user.pk)


@pytest.mark.django_db
def test_helseid_links_an_existing_user_by_hpr_number(client, helseid):
    existing = f.UserFactory(username="hanne", hpr_number="123456789")
    sign_in(client, "helseid", helseid)
    assert str(client.session["_auth_user_id"]) == str(existing.pk)
    assert ExternalIdentity.objects.get().user == existing


@pytest.mark.django_db
def test_entra_sign_in_standard_code_flow(client, entra):
    start, done = sign_in(client, "entra_unn", entra)
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and "nonce" in query
    assert query["client_id"] == ["entra-app"] and "client_secret" not in query
    assert done.status_code == 302 and done["Location"] == "/"
    user = ExternalIdentity.objects.get(subject="entra-sub-9").user
    assert (user.first_name, user.email, user.hpr_number) == ("Erik", "erik@unn.no", "")
    # No roles until an administrator gives them: the start page works, personal data doesn't.
    assert client.get("/").status_code == 200
    assert client.get(reverse("trainees:list")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper", ["bad_signature", "bad_issuer", "bad_audience", "expired", "bad_nonce", "alg_none"]
)
def test_bad_id_tokens_are_refused(client, helseid, tamper, caplog):
    caplog.set_level(logging.INFO, logger="lisplan.security")
    helseid.tamper = tamper
    _start, done = sign_in(client, "helseid", helseid)
    assert done.status_code == 302 and done["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert not ExternalIdentity.objects.exists()
    page = client.get(done["Location"]).content.decode()
    assert "Innloggingen med HelseID mislyktes" in page
    refused = [
        r.fields
        for r in caplog.records
        if r.name == "lisplan.security" and r.fields["event"] == "oidc.refused"
    ]
    expected = {"alg_none": "bad_signature"}.get(tamper, tamper)
    assert refused and refused[-1]["reason"] == expected


@pytest.mark.django_db
def test_wrong_state_and_replayed_callback_are_refused(client, helseid):
    start = client.get(reverse("oidc_start", args=["helseid"]))
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(at_provider.headers["Location"])
    forged = back.query.replace("state=", "state=x")
    assert client.get(back.path + "?" + forged)["Location"] == reverse("login")
    # The right state works once; the same callback again is refused.
    assert client.get(back.path + "?" + back.query)["Location"] == "/"
    client.post(reverse("logout"))
    assert client.get(back.path + "?" + back.query)["Location"] == reverse("login")


@pytest.mark.django_db
def test_provider_error_and_unknown_provider(client, helseid):
    start = client.get(reverse("oidc_start", args=["helseid"]))
    state = None
    # the provider said no (the user cancelled)
    params = helseid.pushed[parse_qs(urlsplit(start["Location"]).query)["request_uri"][0]]
    state = params["state"]
    response = client.get(reverse("oidc_callback") + f"?error=access_denied&state={state}")
    assert response["Location"] == reverse("login")
    assert client.get(reverse("oidc_start", args=["nosuch"])).status_code == 404


def test_providers_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LISPLAN_OIDC_PROVIDERS", "helseid, entra_unn")
    monkeypatch.setenv("LISPLAN_OIDC_HELSEID_ISSUER", "https://helseid-sts.test.nhn.no/")
    monkeypatch.setenv("LISPLAN_OIDC_HELSEID_CLIENT_ID", "abc")
    monkeypatch.setenv("LISPLAN_OIDC_HELSEID_PRIVATE_KEY_FILE", str(tmp_path / "k.jwk"))
    monkeypatch.setenv(
        "LISPLAN_OIDC_ENTRA_UNN_ISSUER", "https://login.microsoftonline.com/tenant-unn/v2.0"
    )
    monkeypatch.setenv("LISPLAN_OIDC_ENTRA_UNN_CLIENT_ID", "def")
    monkeypatch.setenv("LISPLAN_OIDC_ENTRA_UNN_CLIENT_SECRET", "s")
    monkeypatch.setenv("LISPLAN_OIDC_ENTRA_UNN_LABEL", "Entra ID (UNN)")
    found = providers_from_env()
    assert found["helseid"].use_par and found["helseid"].client_auth == "private_key_jwt"
    assert found["helseid"].issuer == "https://helseid-sts.test.nhn.no"
    assert not found["entra_unn"].use_par
    assert found["entra_unn"].client_auth == "client_secret_post"
    assert found["entra_unn"].label == "Entra ID (UNN)"
    monkeypatch.delenv("LISPLAN_OIDC_ENTRA_UNN_CLIENT_ID")
    with pytest.raises(RuntimeError):
        providers_from_env()
