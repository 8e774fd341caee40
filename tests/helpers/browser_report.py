"""test-artifacts/browser-report.{json,md}: what each page cost and what axe found."""

import json
from pathlib import Path

from tests.helpers.book import REPOSITORY, page_path
from tests.helpers.browser import ARTIFACTS, SCREENSHOTS, PageVisit


def violation_summary(violations: list[dict]) -> str:
    if not violations:
        return "none"
    return ", ".join(
        f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in violations
    )


def write_report(pages: list[PageVisit], site_dir: Path) -> None:
    if not pages:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    rows = []
    for visit in pages:
        rows.append(
            {
                "page": visit.src_uri,
                "url": page_path(visit.src_uri),
                "requests": len(visit.requests),
                "bytes": visit.bytes,
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
        )
    (ARTIFACTS / "browser-report.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = [
        "# Browser report",
        "",
        "Each page of the nav, built with `mkdocs build --strict`, served on localhost",
        "and opened in headless Chromium with an empty cache. Bytes are everything the",
        "server sent for the page (headers included): HTML, CSS, scripts, fonts,",
        "figures and the search index. Axe-core violations are listed by rule",
        "(impact, number of elements), in the light and the dark colour scheme.",
        "",
        "| page | requests | bytes | light: axe violations | dark: axe violations "
        "| screenshots |",
        "|---|---:|---:|---|---|---|",
    ]
    for row, visit in zip(rows, pages, strict=True):
        shots = " ".join(
            f"[{scheme}]({Path(path).relative_to(ARTIFACTS.name)})"
            for scheme, path in visit.screenshots.items()
        )
        lines.append(
            f"| {row['page']} | {row['requests']} | {row['bytes']:,} "
            f"| {violation_summary(visit.axe.get('light', []))} "
            f"| {violation_summary(visit.axe.get('dark', []))} | {shots} |"
        )
    lines += ["", f"Screenshots: `{SCREENSHOTS.relative_to(REPOSITORY)}/`.", ""]
    (ARTIFACTS / "browser-report.md").write_text("\n".join(lines))
