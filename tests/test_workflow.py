"""The deployment workflow runs the same make targets as a person does."""

import re
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPOSITORY / ".github" / "workflows").glob("*.yml"))


def make_targets() -> set[str]:
    makefile = (REPOSITORY / "Makefile").read_text()
    return set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))


def workflow_commands(path: Path) -> list[str]:
    jobs = yaml.safe_load(path.read_text())["jobs"]
    return [
        step["run"] for job in jobs.values() for step in job["steps"] if "run" in step
    ]


def test_there_is_a_workflow_that_tests_builds_and_publishes():
    commands = "\n".join(c for path in WORKFLOWS for c in workflow_commands(path))
    for target in ("test", "build", "offline"):
        assert re.search(rf"\bmake\b[^\n]*\b{target}\b", commands), target
    uses = "\n".join(path.read_text() for path in WORKFLOWS)
    assert "actions/deploy-pages" in uses


def test_every_make_target_the_workflow_runs_exists():
    targets = make_targets()
    for path in WORKFLOWS:
        for command in workflow_commands(path):
            for line in command.splitlines():
                if match := re.match(r"\s*make\s+(.*)", line):
                    named = [
                        word for word in match[1].split() if not word.startswith("-")
                    ]
                    assert set(named) <= targets, f"{path.name}: {line.strip()}"
