"""Table 4 / ALIS 4 numbers are the progress engine's for the same trainee, live until signing,
then frozen."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lisplan.iup import status
from lisplan.iup.export_fields import alis_form_values
from lisplan.progress import present
from lisplan.progress.evaluation import evaluate_one
from lisplan.progress.models import ActivityRecord
from tests import factories as f


def test_hospital_numbers_equal_engine(world, draft):
    today = timezone.localdate()
    _inp, _ctx, result = evaluate_one(world.trainee.pk, today)
    assert result is not None
    table = status.status_table(draft, today)
    req = result.requirement("part23_time")
    row = table.row("specialty_time")
    assert row.done == present.done(req)
    assert row.remaining == present.remaining(req)
    # the learning arena of the employment is listed with its duration
    arenas = table.row("arenas").details_done
    assert arenas and "Universitetssykehuset Nord-Norge" in arenas[0] and "mnd." in arenas[0]


def test_alis_values_equal_engine_form_values(world, alis):
    revision = alis.revision()
    today = timezone.localdate()
    _inp, _ctx, result = evaluate_one(alis.trainee.pk, today)
    expected = present.form_values(result)
    table = status.status_table(revision, today)
    for _group, done, rest, _label in status.ALIS_ROWS:
        assert table.form_values.get(done) == expected.get(done)
        assert table.form_values.get(rest) == expected.get(rest)
    exported = alis_form_values(revision, today)
    assert exported["lv_40"] == expected["lv_40"] == "12 vakter"
    assert exported["lis_navn"] == "Alma Alis" and exported["hpr"] == "123456789"
    assert exported["regutdvirk_ja"] == "Yes" and exported["regutdvirk_nei"] == "Off"


def test_live_until_signed_then_frozen(world, alis):
    revision = alis.revision()
    today = timezone.localdate()
    ActivityRecord.objects.create(
        trainee=alis.trainee,
        kind="out_of_hours",
        date=dt.date(2025, 7, 1),
        count=3,
        title="Legevakt",
    )
    assert status.status_table(revision, today).form_values["lv_40"] == "15 vakter"
    signed = alis.sign(revision)
    ActivityRecord.objects.create(
        trainee=alis.trainee,
        kind="out_of_hours",
        date=dt.date(2025, 8, 1),
        count=5,
        title="Legevakt",
    )
    frozen = status.status_table(signed, today)
    assert frozen.frozen and frozen.form_values["lv_40"] == "15 vakter"
    assert status.status_table(signed, today, live=True).form_values["lv_40"] == "20 vakter"


def test_without_requirement_data_shows_dashes(world):
    t = f.TraineeFactory()
    from lisplan.iup import services

    f.EmploymentFactory(trainee=t, institution=world.unn, specialty=world.specialty)
    revision = services.plan_create(actor=world.users["admin"], trainee=t)
    table = status.status_table(revision, timezone.localdate())
    assert [r.key for r in table.rows][:3] == ["degree", "lis1", "specialty_time"]


def test_unknown_course_list_is_said_not_dashed(world):
    """Issue 12, item 7: «Gjenstående: –» for courses where the list is unknown reads as
    "nothing left". Seed 001, table 4: «Nasjonalt anbefalte kurs» with done and remaining."""
    nev = f.SpecialtyFactory(code="NEV", name="Nevrologi")
    t = f.TraineeFactory()
    f.EmploymentFactory(trainee=t, institution=world.unn, specialty=nev)
    row = status.compute(t.pk, "hospital", timezone.localdate()).row("courses")
    assert row.remaining == "Kursliste ikke avklart"
    assert row.details_remaining == ("Kurslisten for spesialiteten er ikke lagt inn ennå.",)


def test_course_list_names_the_courses_left(world):
    """With the specialty's list (ORT), the courses left are named under «Gjenstående»."""
    row = status.compute(world.trainee.pk, "hospital", timezone.localdate()).row("courses")
    assert row.remaining == "2 kurs" and row.done == "0 kurs"
    assert "Kurs i artroskopisk kirurgi" in row.details_remaining
    assert not row.details_done


def test_hospital_lis1_row_has_nothing_remaining(world):
    """LIS1/turnus is done before parts 2 and 3: the row never reads as time still to serve."""
    row = status.compute(world.trainee.pk, "hospital", timezone.localdate()).row("lis1")
    assert row.remaining == "Ingen: forutsetning for spesialiseringen"
    assert row.done == "Gjennomført før spesialiseringen (ikke registrert her)"
