from __future__ import annotations

import pytest

from tests.iup.outputs import Alis, hospital_revision, sign_all


@pytest.fixture
def draft(world):
    """A filled-in hospital draft for the `world` trainee (complete: it can be signed)."""
    return hospital_revision(world)


@pytest.fixture
def signed(world, draft):
    return sign_all(world, draft)


@pytest.fixture
def alis(world):
    return Alis(world)
