"""The command-line entry points: load_gazette, load_samples, parse_gazette."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from records.models import Article, Gazette, GazetteStatus, Publication
from tests.conftest import ROOT, SAMPLES


def run_manage(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env["PORTAL_SQLITE_PATH"] = str(tmp_path / "cli.sqlite3")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("content", [b"", bytes(range(256)) * 40, b"\x89PNG\r\n\x1a\n" + b"\0" * 100])
def test_load_gazette_refuses_junk_with_one_line_and_no_traceback(tmp_path, content):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(content)
    result = run_manage("load_gazette", str(junk), tmp_path=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"{junk}: " in result.stderr
    assert "1 of 1 files failed to load" in result.stderr


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_by_its_size_before_it_is_read(tmp_path):
    import tracemalloc

    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # sparse: 60 MB that take no disk
        handle.truncate(60 * 1024 * 1024)
    out, err = StringIO(), StringIO()
    tracemalloc.start()
    try:
        with pytest.raises(CommandError, match="1 of 1 files failed"):
            call_command("load_gazette", str(big), stdout=out, stderr=err)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "文件太大（60.0 MB），上限为 50 MB" in err.getvalue()
    assert peak < 5 * 1024 * 1024, "the file was read before its size was checked"
    assert not Gazette.objects.exists()


@pytest.mark.django_db
def test_failed_file_leaves_the_database_as_it_was_and_the_others_load(tmp_path):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 40)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2 files failed"):
        call_command("load_gazette", str(junk), str(SAMPLES / "anyang-congress-2021-03.txt"), stdout=out, stderr=err)
    assert "junk.bin" in err.getvalue()
    assert Gazette.objects.count() == 1
    assert Gazette.objects.get().status == GazetteStatus.DRAFT


@pytest.mark.django_db
def test_load_gazette_twice_reports_everything_unchanged():
    path = str(SAMPLES / "yingkou-congress-2021-03.txt")
    call_command("load_gazette", path, "--publish", stdout=StringIO())
    out = StringIO()
    call_command("load_gazette", path, stdout=out)
    summary = out.getvalue().splitlines()[0]
    assert "created 0, updated 0" in summary and "deleted 0" in summary
    assert Gazette.objects.get().status == GazetteStatus.PUBLISHED


@pytest.mark.django_db
def test_load_samples_loads_and_publishes_all_four():
    call_command("load_samples", stdout=StringIO())
    assert Gazette.objects.filter(status=GazetteStatus.PUBLISHED).count() == 4
    assert set(Publication.objects.values_list("kind", flat=True)) == {"congress", "government"}
    assert Publication.objects.get(kind="government").issuer == "葫芦岛市人民政府"
    assert Article.objects.count() == 19 + 38 + 57 + 8


def test_parse_gazette_prints_gazette_json_and_exits_2_on_junk(tmp_path):
    result = run_manage("parse_gazette", str(SAMPLES / "huludao-government-2020-02.txt"), "--issuer", "葫芦岛市人民政府", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "gazette/1"
    assert data["documents"][0]["doc_number"] == "葫政发〔2020〕6号"
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"")
    result = run_manage("parse_gazette", str(junk), tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cli.sqlite3").exists() or (tmp_path / "cli.sqlite3").stat().st_size == 0
