"""Load and publish the sample gazettes shipped with the portal."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from records.loading import load_gazette_file
from records.parsing import IssueMetadata

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "gazettes"


class Command(BaseCommand):
    help = "Load the sample gazettes in records/fixtures/gazettes/ and publish them."

    def add_arguments(self, parser):
        parser.add_argument("--draft", action="store_true", help="leave them unpublished")

    def handle(self, *args, draft, **options):
        manifest = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))
        for name, meta in manifest.items():
            path = SAMPLES / name
            report = load_gazette_file(
                path.read_bytes(),
                filename=name,
                metadata=IssueMetadata(**meta) if meta else None,
                publish=not draft,
                allow_shrinkage=True,
            )
            self.stdout.write(f"{name}: {report.summary()}")
