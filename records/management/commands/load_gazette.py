"""Load gazette files (.txt/.md/.pdf/.docx) into the database, one transaction each."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from records.loading import LoadError, load_gazette_file
from records.management.commands._metadata import add_metadata_arguments, metadata_from_options
from records.parsing import GazetteParseError, read_path


class Command(BaseCommand):
    help = "Parse and load gazette issues. Without --publish they stay drafts for review."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--publish", action="store_true", help="publish after loading")
        parser.add_argument(
            "--allow-shrinkage",
            action="store_true",
            help="accept a parse that deletes records loaded before",
        )
        add_metadata_arguments(parser)

    def handle(self, *args, paths, publish, allow_shrinkage, **options):
        metadata = metadata_from_options(options)
        failures = []
        for path in paths:
            try:
                data = read_path(path)
                report = load_gazette_file(
                    data,
                    filename=path.name,
                    metadata=metadata,
                    allow_shrinkage=allow_shrinkage,
                    publish=publish,
                )
            except OSError as exc:
                failures.append(f"{path}: 无法读取文件：{exc.strerror or exc}")
            except (GazetteParseError, LoadError) as exc:
                failures.append(f"{path}: {exc}")
            else:
                self.stdout.write(f"{path}: {report.summary()}")
                for label, counts in report.counts.items():
                    self.stdout.write(
                        f"  {label:20s} created {counts.created:4d}  updated {counts.updated:4d}  "
                        f"unchanged {counts.unchanged:4d}  deleted {counts.deleted:4d}"
                    )
                for warning in report.warnings:
                    line = f"line {warning.line}: " if warning.line else ""
                    self.stdout.write(f"  warning: {line}{warning.message}")
                for name in report.unmatched_names:
                    self.stdout.write(f"  unmatched name (more than one person): {name}")
        for failure in failures:
            self.stderr.write(failure)
        if failures:
            raise CommandError(f"{len(failures)} of {len(paths)} files failed to load")
