"""`lisplan demo` and `lisplan apitoken`: small N so the suite stays fast."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from lisplan.accounts.access import scope_filter
from lisplan.accounts.models import ApiToken, RoleAssignment, User
from lisplan.demo.generator import LOGINS
from lisplan.notifications.models import Notification
from lisplan.organisations.models import Institution, LearningArena, Region
from lisplan.trainees.models import Employment, LeavePeriod, Supervision, Trainee

pytestmark = pytest.mark.django_db

N = 60


def demo(**options) -> str:
    out = StringIO()
    call_command("demo", stdout=out, **{"trainees": N, **options})
    return out.getvalue()


def visible(username: str) -> set[int]:
    user = User.objects.get(username=username)  # fresh: grants are cached on the instance
    qs = scope_filter(user, "trainee.view", Trainee.objects.all())
    return set(qs.values_list("pk", flat=True))


def employed(**lookup) -> set[int]:
    return set(Employment.objects.not_ended().filter(**lookup).values_list("trainee_id", flat=True))


def people() -> list[tuple[str, str, str]]:
    return sorted(Trainee.objects.values_list("first_name", "last_name", "hpr_number"))


@pytest.mark.django_db(transaction=True)  # the e-mails go out when a transaction commits
def test_demo_users_get_notifications_but_no_email():
    demo(trainees=20)
    assert Notification.objects.filter(user__demo=True).exists()
    assert not mail.outbox


def test_loads_region_and_prints_one_login_per_role():
    out = demo()
    assert Trainee.objects.count() == N
    assert not Trainee.objects.filter(demo=False).exists()
    assert not User.objects.filter(demo=False).exists()
    for username in LOGINS:
        assert f"  {username} " in out
    assert "«demo»" in out
    report = out.split("Innlogging")[0]  # the lines above the logins are for people to read
    assert "godkjent" in report and "til signering" in report
    assert not re.search(r"\b(approved|signing|revision_\w+|requested)\b|#\d", report), report
    assert set(Region.objects.values_list("code", flat=True)) == {"NORD", "SOR-OST", "VEST", "MIDT"}
    names = set(Institution.objects.values_list("name", flat=True))
    assert {
        "Finnmarkssykehuset HF",
        "Universitetssykehuset Nord-Norge HF",
        "Nordlandssykehuset HF",
        "Helgelandssykehuset HF",
        "Tromsø kommune",
        "Bodø kommune",
        "Oslo universitetssykehus HF",
        "Helse Bergen HF",
        "St. Olavs hospital HF",
    } <= names
    # Trainees only in Helse Nord; ALIS in the municipalities.
    assert not Employment.objects.exclude(institution__region__code="NORD").exists()
    alis = Employment.objects.filter(specialty__code="ALM")
    assert alis.exists()
    assert not alis.exclude(institution__kind=Institution.Kind.MUNICIPALITY).exists()


def test_logins_have_password_demo_and_admin_is_superuser():
    demo()
    for username in LOGINS:
        user = User.objects.get(username=username)
        assert user.check_password("demo"), username
        assert user.demo
        assert user.role_assignments.filter(role=username).exists(), username
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    others = User.objects.exclude(username__in=LOGINS)
    assert others.exists()
    assert not any(u.has_usable_password() for u in others)


def test_logins_are_connected():
    demo()
    me = Trainee.objects.get(user__username="trainee")
    job = Employment.objects.get(trainee=me)
    leader = User.objects.get(username="leader")

    # trainee works in leader's arena
    arena = LearningArena.objects.get(leader=leader)
    assert job.arena.path.startswith(arena.path)
    assert RoleAssignment.objects.filter(user=leader, role="leader", arena=arena).exists()
    # supervised by supervisor, who is a supervisor at the institution
    assert Supervision.objects.filter(
        trainee=me, supervisor__username="supervisor", kind=Supervision.Kind.MAIN
    ).exists()
    assert RoleAssignment.objects.filter(
        user__username="supervisor", role="supervisor", institution=job.institution
    ).exists()
    # local coordinator and UAO (with the trainee's specialty) at the employer
    assert RoleAssignment.objects.filter(
        user__username="local_coordinator", institution=job.institution
    ).exists()
    assert RoleAssignment.objects.filter(
        user__username="education_lead", institution=job.institution, specialty=job.specialty
    ).exists()
    # the region of the regional coordinator and the planner
    for username in ("regional_coordinator", "planner"):
        assert RoleAssignment.objects.filter(
            user__username=username, region=job.institution.region
        ).exists()

    everyone = set(Trainee.objects.values_list("pk", flat=True))
    assert visible("trainee") == {me.pk}
    assert me.pk in visible("supervisor")
    assert visible("leader") == employed(arena__path__startswith=arena.path)
    assert me.pk in visible("leader")
    assert visible("local_coordinator") == employed(institution=job.institution)
    assert len(visible("local_coordinator")) < N
    assert visible("education_lead") == employed(
        institution=job.institution, specialty=job.specialty
    )
    assert visible("regional_coordinator") == everyone
    assert visible("planner") == everyone
    assert visible("admin") == everyone


def test_realistic_shape():
    demo(trainees=400)
    current = Employment.objects.not_ended()
    permanent = current.filter(permanent=True).count() / current.count()
    assert 0.78 <= permanent <= 0.92
    temporary = current.filter(permanent=False)
    assert temporary.exists() and not temporary.filter(end=None).exists()
    assert current.filter(position_percent__lt=100).exists()
    assert current.filter(scheme="old").exists()
    assert 0.03 <= LeavePeriod.objects.count() / 400 <= 0.15
    hprs = list(Trainee.objects.values_list("hpr_number", flat=True))
    assert all(h.isdigit() and 7 <= len(h) <= 9 for h in hprs)
    assert any(h.startswith("0") for h in hprs)
    assert len(set(hprs)) == len(hprs)
    assert not Trainee.objects.exclude(supervisions__kind="main").exists()
    psych = Trainee.objects.filter(employments__specialty__code__in=["VOP", "BUP"]).distinct()
    assert psych.exists()
    assert not psych.exclude(supervisions__kind="psychotherapy").exists()
    for a in LearningArena.objects.select_related("parent"):
        assert a.path == f"{a.parent.path if a.parent else '/'}{a.pk}/"
    assert LearningArena.objects.filter(level="section").exists()


def test_deterministic_and_rerun_replaces():
    demo(seed=7)
    first = people()
    demo(seed=7)
    assert people() == first
    assert Trainee.objects.count() == N
    assert User.objects.filter(username="trainee").count() == 1
    demo(seed=8)
    assert people() != first


def test_refuses_non_demo_data_unless_forced():
    real = Trainee.objects.create(first_name="Ekte", last_name="Lege", hpr_number="1234567")
    with pytest.raises(CommandError, match="--force"):
        demo()
    assert not Trainee.objects.filter(demo=True).exists()
    demo(force=True)
    assert Trainee.objects.filter(pk=real.pk).exists()
    assert Trainee.objects.filter(demo=True).count() == N


def test_superuser_alone_is_not_blocking_but_taken_login_name_is():
    User.objects.create_superuser("root", "root@example.org", "x")
    demo()
    User.objects.create_superuser("admin2", "a@example.org", "x")
    User.objects.filter(username="admin").delete()
    User.objects.filter(username="admin2").update(username="admin")
    with pytest.raises(CommandError, match="«admin»"):
        demo(force=True)


def test_apitoken_prints_a_working_token():
    user = User.objects.create_user("kari", password="x")
    out = StringIO()
    call_command("apitoken", "kari", "--name", "skript", stdout=out)
    raw = out.getvalue().strip()
    assert ApiToken.authenticate(raw) == user
    assert ApiToken.objects.get(user=user).name == "skript"


def test_apitoken_unknown_user():
    with pytest.raises(CommandError, match="Fant ingen bruker"):
        call_command("apitoken", "ingen", stdout=StringIO())
