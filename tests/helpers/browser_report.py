"""test-artifacts/browser-report.{json,md}: what each page cost and what axe found.

Each page visit is saved as one JSON row (``record_visit``) by whichever pytest
process made it, in the session's own folder (``BOOK_BROWSER_VISITS``, made by
tests/conftest.py before the workers start); the report is written from those
rows once the session ends (``write_report``), so parallel workers each add
their pages and a session without browser tests leaves the report alone.
"""

import json
import os
from pathlib import Path

from tests.helpers.book import REPOSITORY, page_path
from tests.helpers.browser import ARTIFACTS, SCREENSHOTS, PageVisit

ROWS_FOLDER = "BOOK_BROWSER_VISITS"


def rows_folder() -> Path:
    return Path(os.environ.get(ROWS_FOLDER) or ARTIFACTS / "browser-visits")


def violation_summary(violations: list[dict]) -> str:
    if not violations:
        return "none"
    return ", ".join(
        f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations
    )


def record_visit(visit: PageVisit) -> None:
    rows = rows_folder()
    rows.mkdir(parents=True, exist_ok=True)
    row = {
        "page": visit.src_uri,
        "url": page_path(visit.src_uri),
        "requests": len(visit.requests),
        "bytes": visit.bytes,
        "figure_bytes": visit.figure_bytes,
        "bytes_scrolled": visit.bytes_scrolled,
        "phone": visit.phone,
        "heaviest_responses": visit.heaviest,
        "load_seconds": visit.load_seconds,
        "external_requests": visit.external,
        "failed_requests": visit.failed,
        "console_errors": visit.console_errors,
        "interaction_errors": visit.errors,
        "maths_elements": visit.maths.get("katex", 0),
        "images": len(visit.images),
        "axe_violations": visit.axe,
        "screenshots": visit.screenshots,
    }
    name = page_path(visit.src_uri).strip("/").replace("/", "-") or "index"
    (rows / f"{name}.json").write_text(json.dumps(row, indent=2) + "\n")


def write_report(nav_order: list[str]) -> None:
    rows = [json.loads(path.read_text()) for path in rows_folder().glob("*.json")]
    if not rows:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    position = {src_uri: index for index, src_uri in enumerate(nav_order)}
    rows.sort(key=lambda row: position.get(row["page"], len(position)))
    (ARTIFACTS / "browser-report.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = [
        "# Browser report",
        "",
        "Each page of the nav, built with `mkdocs build --strict`, served on localhost",
        "(gzip, as the host serves it) and opened in headless Chromium with an empty",
        "cache. Bytes are everything the server sent for the page once loaded (headers",
        "included): HTML, CSS, scripts, fonts, the figures of the first screen and the",
        "search index; figures are that part of it; scrolled, once every figure has",
        "loaded; phone, the same first visit at 390 × 844 (bytes, figures, requests).",
        "Axe-core violations are listed by rule",
        "(impact, number of elements), in the light and the dark colour scheme.",
        "",
        "| page | requests | bytes | figures | scrolled | phone "
        "| light: axe violations | dark: axe violations | screenshots |",
        "|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for row in rows:
        shots = " ".join(
            f"[{scheme}]({Path(path).relative_to(ARTIFACTS.name)})"
            for scheme, path in row["screenshots"].items()
        )
        axe, phone = row["axe_violations"], row["phone"]
        lines.append(
            f"| {row['page']} | {row['requests']} | {row['bytes']:,} "
            f"| {row['figure_bytes']:,} | {row['bytes_scrolled']:,} "
            f"| {phone['bytes']:,} ({phone['figure_bytes']:,}, {phone['requests']}) "
            f"| {violation_summary(axe.get('light', []))} "
            f"| {violation_summary(axe.get('dark', []))} | {shots} |"
        )
    lines += ["", f"Screenshots: `{SCREENSHOTS.relative_to(REPOSITORY)}/`.", ""]
    (ARTIFACTS / "browser-report.md").write_text("\n".join(lines))
