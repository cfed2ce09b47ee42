"""Command-line options for the issue metadata a clerk may supply."""

from __future__ import annotations

import datetime as dt
from typing import Any

from records.parsing import IssueMetadata


def add_metadata_arguments(parser: Any) -> None:
    group = parser.add_argument_group("issue metadata (for what the text does not print)")
    group.add_argument("--issuer", help="发布机关, e.g. 葫芦岛市人民政府")
    group.add_argument("--region", help="地区, e.g. 葫芦岛市")
    group.add_argument("--kind", choices=["congress", "government"])
    group.add_argument("--year", type=int)
    group.add_argument("--issue", type=int)
    group.add_argument("--cumulative-issue", type=int)
    group.add_argument("--published-on", type=dt.date.fromisoformat, help="YYYY-MM-DD")


def metadata_from_options(options: dict[str, Any]) -> IssueMetadata | None:
    values = {
        "issuer": options.get("issuer"),
        "region": options.get("region"),
        "kind": options.get("kind"),
        "year": options.get("year"),
        "issue": options.get("issue"),
        "cumulative_issue": options.get("cumulative_issue"),
        "published_on": options.get("published_on"),
    }
    if not any(v is not None for v in values.values()):
        return None
    return IssueMetadata(**values)
