"""The demo's internal consistency at national size (7,000 trainees; issue #12 item 8). Run
apart from the suite (loading takes minutes):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h18 \\
        .venv/bin/pytest tests/benchmarks/test_demo_consistency.py -o addopts="" -s
"""

from __future__ import annotations

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command

from lisplan.demo.consistency import problems

pytestmark = pytest.mark.django_db

N = int(os.environ.get("LISPLAN_CONSISTENCY_TRAINEES", "7000"))


def test_demo_is_consistent_at_national_size():
    started = time.perf_counter()
    call_command("demo", stdout=StringIO(), trainees=N)
    print(f"\ndemo {N} trainees loaded in {time.perf_counter() - started:.0f} s")
    assert problems() == []
