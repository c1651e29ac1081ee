"""Every PDF lisplan makes is tagged (PDF/UA) and reads as words (issue 12, item 7).

Seed 000 and 001 are forms a coordinator signs and files; seed 004 asks for «standardisert
digital IUP». What is printed must be read by people: no code names (`out_of_hours`), no file
names (`service_rules.yaml`), no day arithmetic («= 546 dager», «× 30,4375»).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed"),
]

CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case identifiers
FILE = re.compile(r"\b[\w-]+\.(?:ya?ml|py|json|csv|html)\b")
ARITHMETIC = re.compile(r"=\s*\d[\d  ]*(?:,\d+)?\s*dager|×\s*30,4375|\bdager;\s*talt\b")


def read_back(data: bytes, tmp_path) -> tuple[str, str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return info.stdout, text.stdout


def check(data: bytes, tmp_path, title_part: str) -> str:
    info, text = read_back(data, tmp_path)
    assert re.search(r"^Tagged:\s+yes", info, re.M), info
    assert re.search(rf"^Title:\s+.*{re.escape(title_part)}", info, re.M), info
    assert not CODE.findall(text), CODE.findall(text)
    assert not FILE.findall(text), FILE.findall(text)
    assert not ARITHMETIC.findall(text), ARITHMETIC.findall(text)
    return text


def test_implementation_plan_pdf(world, tmp_path, approved):
    from lisplan.plans import queries
    from lisplan.plans.pdf import render_revision_pdf

    revision = queries.revision_detail(world.users["admin"], approved.pk)
    check(render_revision_pdf(revision), tmp_path, "Individuell gjennomføringsplan")


def test_hospital_education_plan_pdf(world, tmp_path):
    from lisplan.iup import queries
    from lisplan.iup.pdf import render_revision_pdf
    from tests.iup.outputs import hospital_revision, sign_all

    revision = sign_all(world, hospital_revision(world))
    check(
        render_revision_pdf(queries.revision_qs().get(pk=revision.pk)),
        tmp_path,
        "Individuell utdanningsplan",
    )


def test_alis_education_plan_pdfs(world, tmp_path):
    from lisplan.iup import queries
    from lisplan.iup.export import render_fillable_pdf
    from lisplan.iup.pdf import render_revision_pdf
    from tests.iup.outputs import Alis

    alis = Alis(world)
    revision = queries.revision_qs().get(pk=alis.sign(alis.revision()).pk)
    check(render_revision_pdf(revision), tmp_path, "ALIS")
    check(render_fillable_pdf(revision, timezone.localdate()), tmp_path, "ALIS")


def test_rotation_export_pdf(world, tmp_path):
    import datetime as dt

    from lisplan.rotations import export, services

    request = services.request_create(
        actor=world.users["local_coordinator"],
        trainee=world.trainee,
        receiving=world.bergen,
        specialty=world.specialty,
        desired_start=dt.date(2027, 2, 1),
        duration_months=6,
    )
    check(export.render_pdf(request), tmp_path, "Innmelding")


def test_service_confirmation_pdf(world, tmp_path, travel):
    """Issue 12, item 9: the «Bekreftelse på tjeneste» is a tagged PDF in words — the months
    as «N mnd. D dager», the leave by its name, no codes or day arithmetic."""
    from lisplan.confirmations import queries
    from lisplan.confirmations.pdf import render_pdf
    from tests.confirmations.conftest import ISSUED_ON, ask, issue, make_employment, sign

    employment = make_employment(world)  # 2025, full time, March on parental leave
    with travel(ISSUED_ON):
        version = sign(world, issue(world, ask(world, employment)))
    text = check(
        render_pdf(queries.versions_qs().get(pk=version.pk)), tmp_path, "Bekreftelse på tjeneste"
    )
    flat = " ".join(text.split())
    assert "Bekreftelse på tjeneste" in flat
    assert "11 mnd." in flat and "1 mnd." in flat and "12 mnd." in flat
    assert "Foreldrepermisjon" in flat and "Nei, trukket fra" in flat
    assert world.unn.name in flat and "100 prosent" in flat
    assert "Signert av leder for enheten" in flat
