"""Settings for the test suite: production settings, plus a fast password hasher."""

import os

os.environ.setdefault("LISPLAN_INSECURE_DEFAULT_KEY", "1")
os.environ.setdefault("LISPLAN_SSL_REDIRECT", "0")

from lisplan.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
