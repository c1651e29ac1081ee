"""A cheap password hash for the demo accounts only (issue #18).

Real accounts keep Django's defaults (PBKDF2-SHA256 with Django's iteration count, ≈ 0.45 s of
CPU per login on the reference machine): nothing here is in `PASSWORD_HASHERS`, so no real
password is ever hashed this way. `lisplan demo` gives its eight logins (password «demo»,
printed on the screen) this hash so that a demo or load test with many logins is not bound by
the hash; `User.check_password` accepts it only for users marked `demo`.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class DemoPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 with 1,000 iterations, under its own name so it is never mistaken for,
    or upgraded to, a real account's hash."""

    algorithm = "demo_pbkdf2_sha256"
    iterations = 1_000


def is_demo_hash(encoded: str) -> bool:
    return encoded.startswith(DemoPasswordHasher.algorithm + "$")
