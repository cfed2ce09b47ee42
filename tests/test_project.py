"""The project shell: health check, deploy settings, clerk account, migrations, purity."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.conftest import ROOT


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
            "DJANGO_ALLOWED_HOSTS": "gazette.example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_manage("check", env={"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_ensure_clerk_creates_one_account_and_prints_its_password_once(client):
    out = StringIO()
    call_command("ensure_clerk", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "Password:" in line)
    password = line.split("Password:")[1].strip()
    user = get_user_model().objects.get(username="clerk")
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name="clerk").exists()
    response = client.post("/admin/login/", {"username": "clerk", "password": password})
    assert response.status_code == 302, "the printed password must log in"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/records/gazette/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403  # clerks manage no users

    again = StringIO()
    call_command("ensure_clerk", stdout=again)
    assert "Password" not in again.getvalue()
    assert get_user_model().objects.count() == 1


def test_parser_package_does_not_import_django():
    code = "import sys, records.parsing; sys.exit(1 if any(m.startswith('django') for m in sys.modules) else 0)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 0, "records.parsing imported Django"
