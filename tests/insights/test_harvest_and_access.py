"""Drill-down counts equal the numbers (live and frozen, every indicator × scope); a harvest
keeps its values when the data change; access and small cells; API, pages and exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from lisplan.insights import queries, scopes, services
from lisplan.insights.indicators import COUNT, INDICATORS, Ctx, Scope, evaluate, evaluate_all
from lisplan.insights.models import Harvest, HarvestValue
from lisplan.plans.models import Revision as PlanRevision


def _scopes(w):
    return [
        Scope(),
        Scope(region=w.nord.pk),
        Scope(region=w.vest.pk),
        Scope(institution=w.a.pk),
        Scope(institution=w.b.pk),
        Scope(institution=w.c.pk),
        Scope(arena=w.arena.pk),
        Scope(institution=w.a.pk, specialty=w.ort.pk),
        Scope(region=w.nord.pk, specialty=w.med.pk),
        Scope(specialty=w.ort.pk),
        Scope(arena=w.arena.pk, specialty=w.med.pk),
    ]


def _harvest(w, django_capture_on_commit_callbacks=None):
    h = services.start_harvest(actor=w.users["regional_coordinator"], date=w.at)
    assert h.status == "queued"
    assert services.execute(h.pk) == "done"
    h.refresh_from_db()
    assert h.status == "done" and h.rows > 0
    return h


def test_drill_down_count_equals_number_for_every_indicator_and_scope(w):
    """The property: for every indicator and scope the list behind the number has as many rows
    as the numerator (the value itself for counts) — live, and frozen in a harvest."""
    h = _harvest(w)
    for scope in _scopes(w):
        frozen = {v.code: v for v in services.values_from_rows(h, scope)}
        grouped = {v.code: v for v in evaluate_all(scope, w.at)}
        for ind in INDICATORS:
            v = evaluate(ind, Ctx.of(scope, w.at))
            rows = queries.live_rows(ind, scope, w.at)
            assert rows.count() == v.numerator, (ind.code, scope)
            assert len(list(queries.export_live_rows(ind, scope, w.at))) == v.numerator
            if ind.unit == COUNT:
                assert v.value == v.numerator
            g = grouped[ind.code]  # counted together per base table: the same numbers
            assert (g.value, g.numerator, g.denominator) == (v.value, v.numerator, v.denominator), (
                ind.code,
                scope,
            )
            f = frozen[ind.code]
            assert services.frozen_rows(h, ind, scope).count() == f.numerator, (ind.code, scope)
            assert (f.value, f.numerator, f.denominator) == (v.value, v.numerator, v.denominator), (
                ind.code,
                scope,
            )


def test_stored_values_match_values_from_rows(w):
    h = _harvest(w)
    for key in ("all", f"region:{w.nord.pk}", f"institution:{w.a.pk}/specialty:{w.ort.pk}"):
        scope = Scope.from_key(key)
        stored = {v.indicator: v for v in HarvestValue.objects.filter(harvest=h, scope=key)}
        for v in services.values_from_rows(h, scope):
            s = stored[v.code]
            assert (s.numerator, s.denominator) == (v.numerator, v.denominator)
            assert (s.value is None and v.value is None) or s.value == pytest.approx(v.value)


def test_a_harvest_keeps_its_values_when_data_change(w):
    """t2's plan is approved again after the harvest: live, plans_missing in Nord goes from 2
    to 1; the harvest still says 2, and its list still names t2."""
    h = _harvest(w)
    scope = Scope(region=w.nord.pk)
    for revision in PlanRevision.objects.filter(plan__trainee=w.t["t2"]):
        revision.valid_until = w.at + dt.timedelta(days=200)
        revision.save()  # as a write through the model does (the stored facts follow)
    w.t["t2"].first_name = "Omdøpt"
    w.t["t2"].save()
    live = {v.code: v for v in queries.live_values(None, scope, w.at, scopes.INSIDE, change=False)}
    assert live["plans_missing"].value == 1
    frozen = {v.code: v for v in services.frozen_values(h, scope)}
    assert frozen["plans_missing"].value == 2
    ind = queries.indicator("plans_missing")
    names = [r.trainee_name for r in services.frozen_rows(h, ind, scope)]
    assert "t2 Lege2" in names
    # and the change since the harvest is reported
    changed = {
        v.code: v
        for v in services.with_change(
            queries.live_values(None, scope, w.at, scopes.INSIDE, change=False), scope
        )
    }
    assert changed["plans_missing"].change == -1


def test_trend_over_harvests(w):
    for days in (400, 200, 0):
        h = services.start_harvest(actor=None, date=w.at - dt.timedelta(days=days))
        services.execute(h.pk)
    series = services.trend(Scope(region=w.nord.pk))
    assert [h.date for h, _v in series] == sorted(h.date for h, _v in series)
    assert len(series) == 3


def test_harvest_refused_in_future_and_without_permission(w):
    with pytest.raises(services.HarvestError):
        services.start_harvest(actor=None, date=w.at + dt.timedelta(days=1))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.start_harvest(actor=w.users["local_coordinator"], date=w.at)


def test_scheduled_harvest_only_on_1_march_and_1_september(w):
    assert services.run_scheduled(dt.date(2026, 3, 2)) is None
    assert services.next_harvest(dt.date(2026, 3, 1)) == dt.date(2026, 3, 1)
    assert services.next_harvest(dt.date(2026, 3, 2)) == dt.date(2026, 9, 1)
    assert services.next_harvest(dt.date(2026, 12, 6)) == dt.date(2027, 3, 1)
    assert services.worklist_open(dt.date(2026, 8, 4))
    assert not services.worklist_open(dt.date(2026, 8, 3))


@pytest.mark.parametrize(
    "user,scope,expected",
    [
        ("leader", "arena", scopes.INSIDE),
        ("leader", "a", scopes.OUTSIDE),
        ("leader", "c", None),
        ("education_lead", "a_ort", scopes.INSIDE),
        ("education_lead", "a", scopes.OUTSIDE),
        ("education_lead", "arena", scopes.OUTSIDE),
        ("local_coordinator", "a", scopes.INSIDE),
        ("local_coordinator", "arena", scopes.INSIDE),
        ("local_coordinator", "b", scopes.OUTSIDE),
        ("local_coordinator", "nord", scopes.OUTSIDE),
        ("regional_coordinator", "nord", scopes.INSIDE),
        ("regional_coordinator", "a", scopes.INSIDE),
        ("regional_coordinator", "c", None),
        ("planner", "nord", scopes.INSIDE),
        ("outsider", "a", None),
        ("admin", "all", scopes.INSIDE),
        ("regional_coordinator", "all", None),
    ],
)
def test_access(w, user, scope, expected):
    s = {
        "arena": Scope(arena=w.arena.pk),
        "a": Scope(institution=w.a.pk),
        "b": Scope(institution=w.b.pk),
        "c": Scope(institution=w.c.pk),
        "a_ort": Scope(institution=w.a.pk, specialty=w.ort.pk),
        "nord": Scope(region=w.nord.pk),
        "all": Scope(),
    }[scope]
    assert scopes.access(w.users[user], s) == expected


def test_small_cells_hidden_outside_the_unit(w):
    """The local coordinator at A looks at B (1 trainee): «< 5»; at A itself: the numbers."""
    user = w.users["local_coordinator"]
    scope, level = queries.resolve(user, Scope(institution=w.b.pk))
    values = {v.code: v for v in queries.live_values(user, scope, w.at, level)}
    assert values["trainees"].suppressed and values["trainees"].value is None
    assert queries.display(values["trainees"]) == "< 5"
    scope, level = queries.resolve(user, None)
    assert scope == Scope(institution=w.a.pk)
    values = {v.code: v for v in queries.live_values(user, scope, w.at, level)}
    assert values["trainees"].value == 3 and not values["trainees"].suppressed


def _client(w, name):
    c = Client()
    c.force_login(w.users[name])
    return c


def test_api_indicators_rows_and_harvests(w, django_capture_on_commit_callbacks):
    c = _client(w, "regional_coordinator")
    r = c.get("/api/v1/indicators", {"scope": "region", "id": w.nord.pk})
    assert r.status_code == 200
    body = {i["code"]: i for i in r.json()}
    assert set(body) == {i.code for i in INDICATORS}
    assert body["plans_missing"]["numerator"] == 2 and body["plans_missing"]["denominator"] == 3
    r = c.get("/api/v1/indicators/plans_missing/rows", {"scope": "region", "id": w.nord.pk})
    assert r.json()["count"] == 2
    assert c.get("/api/v1/indicators/nope/rows").status_code == 404
    assert c.get("/api/v1/indicators", {"scope": "institution", "id": w.c.pk}).status_code == 404
    assert c.get("/api/v1/indicators", {"scope": "region"}).status_code == 400
    r = c.post("/api/v1/harvests", {"date": w.at.isoformat()}, content_type="application/json")
    assert r.status_code == 202
    hid = r.json()["id"]
    assert c.get(f"/api/v1/harvests/{hid}").json()["status"] == "queued"
    assert c.get(f"/api/v1/harvests/{hid}/indicators").status_code == 400  # not done
    services.execute(hid)
    assert c.get(f"/api/v1/harvests/{hid}").json()["status"] == "done"
    frozen = {i["code"]: i for i in c.get(f"/api/v1/harvests/{hid}/indicators").json()}
    assert frozen["trainees"]["value"] == 4
    rows = c.get(f"/api/v1/harvests/{hid}/indicators/trainees/rows", {"page_size": 3}).json()
    assert rows["count"] == 4 and len(rows["results"]) == 3
    assert (
        _client(w, "local_coordinator")
        .post("/api/v1/harvests", {"date": w.at.isoformat()}, content_type="application/json")
        .status_code
        == 403
    )
    # outside the unit: numbers masked, rows refused
    lc = _client(w, "local_coordinator")
    out = {
        i["code"]: i
        for i in lc.get("/api/v1/indicators", {"scope": "institution", "id": w.b.pk}).json()
    }
    assert out["trainees"]["suppressed"] and out["trainees"]["value"] is None
    assert (
        lc.get(
            "/api/v1/indicators/trainees/rows", {"scope": "institution", "id": w.b.pk}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    "user",
    ["leader", "education_lead", "local_coordinator", "regional_coordinator", "planner", "admin"],
)
def test_pages_render_for_each_role(w, user):
    c = _client(w, user)
    assert c.get("/innsikt/").status_code == 200
    assert c.get("/innsikt/?sort=value&dir=desc").status_code == 200
    assert c.get("/innsikt/trender/").status_code == 200
    assert c.get("/innsikt/innhostinger/").status_code == 200
    assert c.get("/innsikt/indikator/trainees/").status_code == 200


def test_pages_regional(w):
    _harvest(w)
    c = _client(w, "regional_coordinator")
    q = {"scope": "region", "id": w.nord.pk}
    page = c.get("/innsikt/", q).content.decode()
    assert "Helse Nord RHF" in page and "Mangler gyldig gjennomføringsplan" in page
    assert c.get("/innsikt/sammenligning/", q).status_code == 200
    trends = c.get("/innsikt/trender/", q).content.decode()
    assert "<svg" in trends and "<table" in trends
    assert c.get("/innsikt/for-innhosting/", q).status_code == 200
    r = c.get("/innsikt/indikator/plans_missing/", q).content.decode()
    assert "Lege2" in r and "Lege4" in r
    assert c.get("/innsikt/", {"scope": "institution", "id": w.c.pk}).status_code == 404
    assert (
        _client(w, "outsider")
        .get("/innsikt/indikator/trainees/", {"scope": "institution", "id": w.a.pk})
        .status_code
        == 404
    )
    r = c.post("/innsikt/for-innhosting/paminnelse/", {**q, "liste": "plans"})
    assert r.status_code == 302


def test_exports_stream_table_and_rows(w):
    c = _client(w, "regional_coordinator")
    q = {"scope": "region", "id": w.nord.pk}
    r = c.get("/innsikt/eksport.xlsx", q)
    assert r.streaming
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert len(rows) == 1 + len(INDICATORS)
    r = c.get("/innsikt/indikator/plans_missing/eksport.csv", q)
    assert r.streaming
    lines = b"".join(r.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 2
    # outside the unit the export follows the same rule
    lc = _client(w, "local_coordinator")
    r = lc.get("/innsikt/eksport.csv", {"scope": "institution", "id": w.b.pk})
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    assert "< 5" in text
    assert (
        lc.get(
            "/innsikt/indikator/trainees/eksport.csv", {"scope": "institution", "id": w.b.pk}
        ).status_code
        == 403
    )


def test_harvest_start_page(w):
    c = _client(w, "regional_coordinator")
    r = c.post("/innsikt/innhostinger/start/", {"date": w.at.isoformat()})
    assert r.status_code == 302
    assert Harvest.objects.filter(date=w.at).exists()
    assert (
        _client(w, "planner")
        .post("/innsikt/innhostinger/start/", {"date": w.at.isoformat()})
        .status_code
        == 403
    )
