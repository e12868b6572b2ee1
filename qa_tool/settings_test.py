"""Test settings: fast hashing, in-memory mail, throwaway media root."""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key")

from qa_tool.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="qa-tool-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="qa-tool-test-static-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
# client.login() authenticates without a request, which django-axes refuses; the
# lock-out tests switch it back on with override_settings.
AXES_ENABLED = False
# The live server's request threads would otherwise keep connections that block dropping
# the PostgreSQL test database; the production default is checked in test_settings_env.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
