"""The plan fixtures, for the documents' tests."""

from tests.plans.conftest import approved, draft, period  # noqa: F401
