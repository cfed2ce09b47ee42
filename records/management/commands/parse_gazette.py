"""Print the gazette/1 JSON (or a summary) of one file; touches no database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from records.management.commands._metadata import add_metadata_arguments, metadata_from_options
from records.parsing import (
    GazetteParseError,
    gazette_to_json,
    parse_gazette,
    read_path,
    read_source,
)


class Command(BaseCommand):
    help = "Parse one gazette file and print gazette/1 JSON or a human summary."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=["json", "summary"], default="json")
        add_metadata_arguments(parser)

    def handle(self, *args, path, format, **options):
        try:
            parsed = parse_gazette(read_source(read_path(path), path.name), metadata_from_options(options))
        except OSError as exc:
            self.stderr.write(f"{path}: 无法读取文件：{exc.strerror or exc}")
            sys.exit(2)
        except GazetteParseError as exc:
            self.stderr.write(f"{path}: {exc}")
            sys.exit(2)
        if format == "json":
            self.stdout.write(json.dumps(gazette_to_json(parsed), ensure_ascii=False, indent=2))
            return
        info = parsed.gazette
        self.stdout.write(f"{info.issuer} {info.year}年第{info.issue}期 (总第{info.cumulative_issue}期)")
        self.stdout.write(
            f"documents {len(parsed.documents)}, meetings {len(parsed.meetings)}, "
            f"personnel decisions {len(parsed.personnel_decisions)}, votes {len(parsed.votes)}, "
            f"warnings {len(parsed.warnings)}"
        )
        for doc in parsed.documents:
            self.stdout.write(f"  {doc.index:3d} p{doc.page or '-':>4} {doc.category:18s} {doc.date or ''!s:10} {doc.title}")
        for warning in parsed.warnings:
            self.stdout.write(f"  warning line {warning.line}: {warning.message}")
