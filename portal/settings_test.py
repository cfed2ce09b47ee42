"""Test settings: the real settings with fast hashing and plain static storage."""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_SECURE", "0")

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_AUTOREFRESH = True

# A replica that is the test database itself, for the tests of portal/replicas.py; they turn
# the replicas on (PORTAL_READ_REPLICAS) and ask for both databases. A run with
# DATABASE_REPLICA_URL keeps its own replicas (a real standby), off until a test turns them on.
if "replica1" not in DATABASES:  # noqa: F405
    DATABASES["replica1"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
PORTAL_READ_REPLICAS = []
DATABASE_ROUTERS = ["portal.replicas.ReplicaRouter"]
