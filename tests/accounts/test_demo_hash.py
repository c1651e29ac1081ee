"""Demo accounts get a cheap password hash, only in the demo (issue #18); real accounts keep
Django's hasher, and a demo hash on a real account is refused."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.test import RequestFactory

from lisplan.accounts.hashers import DemoPasswordHasher, is_demo_hash
from tests import factories as f


def authenticate(**credentials):
    """Django's `authenticate` with a request, as the login lockout (django-axes) requires."""
    from django.contrib.auth import authenticate as django_authenticate

    return django_authenticate(RequestFactory().post("/logg-inn/"), **credentials)


def test_demo_hash_logs_in_demo_users_only_and_is_not_upgraded(db):
    demo = f.UserFactory(username="demo-user")
    demo.demo = True
    demo.password = make_password("demo", hasher=DemoPasswordHasher())
    demo.save()
    assert authenticate(username="demo-user", password="demo") == demo
    assert authenticate(username="demo-user", password="wrong") is None
    demo.refresh_from_db()
    assert is_demo_hash(demo.password)  # not re-hashed on login

    real = f.UserFactory(username="real-user")
    real.password = make_password("demo", hasher=DemoPasswordHasher())
    real.save()
    assert authenticate(username="real-user", password="demo") is None


def test_real_accounts_use_the_configured_hasher(db):
    user = f.UserFactory(username="someone")
    user.set_password("a long password")
    assert not is_demo_hash(user.password)
