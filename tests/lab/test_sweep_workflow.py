"""The sweep spread over machines by existing engines: GitHub Actions and SLURM.

Neither engine runs here, so each test runs the commands they would run, with
bash, in the environment they would give: ``.github/workflows/lab-sweep.yml``'s
``run`` steps, with the ``${{ }}`` expressions of their ``env`` filled in as
GitHub would, and ``lab/slurm/*.sbatch`` with the variables SLURM sets for an
array task. Python is a stand-in (``STAND_IN``) that reads its arguments with
the lab's own parser (``lab.rmsprop_sweep.make_parser``), logs them, and writes
the files the real command would, so that the steps after it (copying,
gathering) are exercised too. No TensorFlow, no training: about a second.
"""

import fnmatch
import json
import os
import re
import shlex
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from lab.config import REPOSITORY, Experiment
from lab.rmsprop_sweep import COMMANDS, experiment_from, make_parser
from lab.store import METADATA_FILE, RUNS_FILE, SELECTED_FILE, SHARDS_DIR, read_json
from lab.sweep import merge_shards, run_sweep
from tests.lab.sweep_helpers import TINY_EXPERIMENT, FakeTrainer, fake_trainer

WORKFLOW = REPOSITORY / ".github" / "workflows" / "lab-sweep.yml"
SBATCH = REPOSITORY / "lab" / "slurm" / "sweep.sbatch"
MERGE_SBATCH = REPOSITORY / "lab" / "slurm" / "merge.sbatch"
PAGE = REPOSITORY / "docs" / "lab.md"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

# Python, as the workflow and the scripts call it: parse, log, write what the
# real command writes (a shard's two files; merge's runs.csv and sweep.json).
STAND_IN = f"""#!{sys.executable}
import json, os, sys
from pathlib import Path
sys.path.insert(0, {str(REPOSITORY)!r})
from lab.rmsprop_sweep import COMMANDS, make_parser
script, argv = sys.argv[1], sys.argv[2:]
with open(os.environ["STAND_IN_LOG"], "a") as log:
    print(json.dumps({{"script": script, "argv": argv, "cwd": os.getcwd()}}), file=log)
words = argv if argv[:1] in ([c] for c in COMMANDS) else ["run", *argv]
args = make_parser().parse_args(words)
results = Path(args.results)
if args.command == "run" and args.shard:
    k, n = args.shard
    (results / "shards").mkdir(parents=True, exist_ok=True)
    for suffix in (".json", ".csv", ".lock"):
        path = results / "shards" / f"shard-{{k}}-of-{{n}}{{suffix}}"
        path.write_text(f"{{k}}/{{n}}")
elif args.command == "merge":
    found = sorted(p.name for p in (results / "shards").glob("*.csv"))
    (results / "runs.csv").write_text("\\n".join(found))
    (results / "sweep.json").write_text("{{}}")
"""


@pytest.fixture
def stand_in(tmp_path) -> tuple[Path, Path]:
    """(the stand-in for Python, the log of its calls)"""
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text(STAND_IN)
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return python, tmp_path / "calls.jsonl"


def calls(log: Path) -> list[dict]:
    if not log.is_file():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def parsed(argv: list[str]):
    """The lab's command line's reading of ``argv``, 'run' being the default."""
    words = argv if argv[:1] in ([c] for c in COMMANDS) else ["run", *argv]
    return make_parser().parse_args(words)


def bash(script: str, cwd: Path, env: dict, *arguments: str):
    return subprocess.run(
        ["bash", "-c", script, "bash", *arguments],
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "HOME": str(cwd), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- GitHub Actions ---------------------------------------------------------------


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def render(value, context: dict) -> str:
    """A value with GitHub's ``${{ name }}`` expressions filled in from ``context``."""

    def one(match):
        name = match[1]
        assert name in context, f"an expression the test does not know: {name}"
        return str(context[name])

    return EXPRESSION.sub(one, str(value))


def step(job: dict, name_start: str) -> dict:
    [found] = [s for s in job["steps"] if s.get("name", "").startswith(name_start)]
    return found


def run_step(found: dict, context: dict, cwd: Path, extra_env: dict):
    environment = {k: render(v, context) for k, v in found.get("env", {}).items()}
    return bash(found["run"], cwd, {**environment, **extra_env})


def plan(count, tmp_path) -> dict:
    """What the plan job gives the others for ``count`` shards (or its failure)."""
    job = workflow()["jobs"]["plan"]
    output = tmp_path / f"output-{count}"
    output.write_text("")
    done = run_step(
        step(job, "List the shards"),
        {"inputs.shards": count},
        tmp_path,
        {"GITHUB_OUTPUT": str(output)},
    )
    if done.returncode:
        return {"error": done.stderr.strip()}
    lines = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert set(job["outputs"]) == set(lines)
    return lines


def test_the_workflow_is_started_by_hand_with_a_shard_count_and_arguments():
    data = workflow()
    triggers = data[True]  # YAML 1.1 reads the key `on` as true
    assert list(triggers) == ["workflow_dispatch"]
    inputs = triggers["workflow_dispatch"]["inputs"]
    assert inputs["shards"]["type"] == "number" and inputs["shards"]["required"]
    assert inputs["arguments"]["type"] == "string"
    assert data["permissions"] == {"contents": "read"}


@pytest.mark.parametrize("count", [1, 3, 7, 256])
def test_the_workflow_matrix_covers_shards_1_to_n(count, tmp_path):
    outputs = plan(count, tmp_path)
    assert json.loads(outputs["shards"]) == list(range(1, count + 1))
    assert outputs["count"] == str(count)
    shard = workflow()["jobs"]["shard"]
    assert shard["needs"] == "plan"
    assert shard["strategy"]["matrix"]["shard"] == (
        "${{ fromJSON(needs.plan.outputs.shards) }}"
    )
    assert shard["strategy"]["fail-fast"] is False


@pytest.mark.parametrize("count", ["0", "257", "-1", "2.5", "three", ""])
def test_the_workflow_refuses_a_shard_count_outside_1_to_256(count, tmp_path):
    assert "must be a whole number from 1 to 256" in plan(count, tmp_path)["error"]


def shard_context(k: int, count: int, arguments: str) -> dict:
    return {
        "matrix.shard": k,
        "needs.plan.outputs.count": count,
        "inputs.arguments": arguments,
    }


def shard_job(k, count, arguments, machine, stand_in):
    """Shard job ``k``'s run step, on a machine (a folder) of its own."""
    python, log = stand_in
    (machine / ".venv" / "bin").mkdir(parents=True)
    (machine / ".venv" / "bin" / "python").symlink_to(python)
    return run_step(
        step(workflow()["jobs"]["shard"], "Run shard"),
        shard_context(k, count, arguments),
        machine,
        {"STAND_IN_LOG": str(log)},
    )


def run_shard_jobs(count, arguments, tmp_path, stand_in) -> list[Path]:
    """Every shard job's run step; the folders of their machines."""
    machines = [tmp_path / f"shard-machine-{k}" for k in range(1, count + 1)]
    for k, machine in enumerate(machines, start=1):
        done = shard_job(k, count, arguments, machine, stand_in)
        assert done.returncode == 0, done.stderr
    return machines


ARGUMENTS = "--seeds 0 1 2 3 --epochs 2 --data full --validation-size 10000"


def test_each_shard_job_runs_its_shard_with_the_given_arguments(tmp_path, stand_in):
    run_shard_jobs(3, ARGUMENTS, tmp_path, stand_in)
    logged = calls(stand_in[1])
    assert [call["script"] for call in logged] == ["lab/rmsprop_sweep.py"] * 3
    for k, call in enumerate(logged, start=1):
        args = parsed(call["argv"])
        assert args.command == "run"
        assert args.shard == (k, 3)
        assert args.results == Path("results")
        assert (args.seeds, args.epochs, args.data, args.validation_size) == (
            [0, 1, 2, 3],
            2,
            "full",
            10000,
        )
    # with no arguments, the default sweep
    default = parsed(["run"])
    run_shard_jobs(2, "", tmp_path / "default", stand_in)
    args = parsed(calls(stand_in[1])[-1]["argv"])
    assert (args.shard, args.seeds, args.data) == ((2, 2), default.seeds, None)
    assert experiment_from(args) == Experiment()  # the default sweep, full MNIST


def test_an_argument_cannot_run_a_command_or_name_files(tmp_path, stand_in):
    machine = tmp_path / "machine"
    arguments = "--data * ; touch pwned $(touch pwned2) `touch pwned3`"
    done = shard_job(1, 1, arguments, machine, stand_in)
    assert done.returncode != 0  # the lab's parser refuses the extra words
    [call] = calls(stand_in[1])
    assert call["argv"][-9:] == arguments.split()  # words, as typed: no "*" expanded
    assert not list(tmp_path.rglob("pwned*"))
    for found in (s for job in workflow()["jobs"].values() for s in job["steps"]):
        assert "${{" not in found.get("run", ""), "an expression pasted in a script"


def test_the_merge_job_gathers_every_shard_then_merges(tmp_path, stand_in):
    python, log = stand_in
    jobs = workflow()["jobs"]
    shard, merge = jobs["shard"], jobs["merge"]
    assert set(merge["needs"]) == {"plan", "shard"}
    machines = run_shard_jobs(4, "", tmp_path, stand_in)

    upload = step(shard, "Keep the shard's files")
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert Path(upload["with"]["path"]) == Path("results")  # the shards' --results
    assert upload["with"]["if-no-files-found"] == "error"
    download = step(merge, "Gather every shard's files")
    assert download["uses"].startswith("actions/download-artifact@")
    assert download["with"]["merge-multiple"] is True
    # the artifacts, as download-artifact unpacks them: every one into one folder
    merger = tmp_path / "merge-machine"
    gathered = merger / download["with"]["path"]
    for k, machine in enumerate(machines, start=1):
        name = render(upload["with"]["name"], shard_context(k, 4, ""))
        assert fnmatch.fnmatch(name, download["with"]["pattern"])
        for path in (machine / upload["with"]["path"]).rglob("*"):
            if path.is_dir():
                continue
            target = gathered / path.relative_to(machine / upload["with"]["path"])
            assert not target.exists(), f"two shards write {target}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())

    (merger / ".venv" / "bin").mkdir(parents=True)
    (merger / ".venv" / "bin" / "python").symlink_to(python)
    done = run_step(
        step(merge, "Merge the shards"), {}, merger, {"STAND_IN_LOG": str(log)}
    )
    assert done.returncode == 0, done.stderr
    args = parsed(calls(log)[-1]["argv"])
    assert args.command == "merge"
    assert args.results == Path("results") == Path(download["with"]["path"])
    assert (gathered / RUNS_FILE).read_text().split() == [
        f"shard-{k}-of-4.csv" for k in range(1, 5)
    ]
    kept = step(merge, "Keep the merged results")
    assert Path(kept["with"]["path"]) == args.results
    assert kept["with"]["name"] != "" and not fnmatch.fnmatch(
        kept["with"]["name"], download["with"]["pattern"]
    )


def test_the_workflow_installs_the_book_as_make_install_does():
    for name in ("shard", "merge"):
        steps = workflow()["jobs"][name]["steps"]
        assert steps[0]["uses"].startswith("actions/checkout@")
        assert steps[1]["run"].strip() == "make install"
    makefile = (REPOSITORY / "Makefile").read_text()
    assert "$(BIN)/python -m pip install --quiet -r requirements.txt" in makefile
    assert "BIN := $(VENV)/bin" in makefile and "VENV := .venv" in makefile


# --- SLURM ------------------------------------------------------------------------


def sbatch_options(path: Path) -> dict:
    """The #SBATCH lines before the first command, as SLURM reads them."""
    options = {}
    for line in path.read_text().splitlines()[1:]:
        if line.startswith("#SBATCH "):
            key, _, value = line.removeprefix("#SBATCH ").partition("=")
            options[key] = value
        elif line.strip() and not line.startswith("#"):
            break
    return options


def array_task(k, count, results, arguments, tmp_path, stand_in, script=SBATCH):
    python, log = stand_in
    node = tmp_path / f"node-{k}"
    node.mkdir(exist_ok=True)
    environment = {
        "SLURM_SUBMIT_DIR": str(REPOSITORY),
        "SLURM_ARRAY_TASK_ID": str(k),
        "SLURM_ARRAY_TASK_COUNT": str(count),
        "SLURM_ARRAY_TASK_MIN": "1",
        "SLURM_ARRAY_TASK_MAX": str(count),
        "TMPDIR": str(node),
        "PYTHON": str(python),
        "STAND_IN_LOG": str(log),
    }
    return bash(script.read_text(), tmp_path, environment, str(results), *arguments)


def test_the_sbatch_script_is_a_job_array_task_running_its_shard(tmp_path, stand_in):
    assert sbatch_options(SBATCH)["--array"] == "1-4"
    results = tmp_path / "shared results"
    arguments = ["--seeds", "0", "1", "--momenta", "0", "0.9"]
    for k in (1, 2, 3):
        done = array_task(k, 3, results, arguments, tmp_path, stand_in)
        assert done.returncode == 0, done.stderr
        node = tmp_path / f"node-{k}"
        assert list(node.iterdir()) == []  # its local folder is removed
    logged = calls(stand_in[1])
    for k, call in enumerate(logged, start=1):
        assert Path(call["cwd"]) == REPOSITORY
        args = parsed(call["argv"])
        assert (args.command, args.shard, args.seeds, args.momenta) == (
            "run",
            (k, 3),
            [0, 1],
            [0.0, 0.9],
        )
        assert args.results.parent == tmp_path / f"node-{k}"  # the node's disk
    names = sorted(p.name for p in (results / SHARDS_DIR).iterdir())
    assert names == sorted(
        f"shard-{k}-of-3.{s}" for k in (1, 2, 3) for s in ("csv", "json")
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"SLURM_ARRAY_TASK_ID": ""}, "not an array task"),
        ({"SLURM_ARRAY_TASK_MIN": "2"}, "the array must be 1-N"),
        ({"SLURM_ARRAY_TASK_MAX": "5"}, "the array must be 1-N"),
        ({"SLURM_SUBMIT_DIR": "/"}, "run sbatch from the repository's root"),
    ],
)
def test_the_sbatch_script_refuses_what_is_not_a_1_to_n_array(
    changes, message, tmp_path, stand_in
):
    python, log = stand_in
    environment = {
        "SLURM_SUBMIT_DIR": str(REPOSITORY),
        "SLURM_ARRAY_TASK_ID": "1",
        "SLURM_ARRAY_TASK_COUNT": "3",
        "SLURM_ARRAY_TASK_MIN": "1",
        "SLURM_ARRAY_TASK_MAX": "3",
        "PYTHON": str(python),
        "STAND_IN_LOG": str(log),
        "TMPDIR": str(tmp_path),
        **changes,
    }
    done = bash(SBATCH.read_text(), tmp_path, environment, str(tmp_path / "r"))
    assert done.returncode == 2 and message in done.stderr
    assert calls(log) == []


def test_a_failed_shard_copies_nothing(tmp_path, stand_in):
    done = array_task(1, 2, tmp_path / "r", ["--epochs", "x"], tmp_path, stand_in)
    assert done.returncode != 0 and "--epochs: invalid int value" in done.stderr
    assert not (tmp_path / "r").exists()


def documented_slurm_block() -> str:
    blocks = re.findall(r"```bash\n(.*?)```", PAGE.read_text(), re.S)
    [block] = [b for b in blocks if "sbatch" in b]
    return block


FAKE_SBATCH = """#!/bin/bash
# records its arguments, prints a job id as --parsable does
echo "$*" >> "$SBATCH_LOG"
n=$(wc -l < "$SBATCH_LOG")
echo "4242$n"
"""


def test_the_documented_slurm_commands_run_the_array_then_the_merge(tmp_path, stand_in):
    """The page's commands, with a stand-in sbatch; then the jobs, as SLURM
    would run them: the array's tasks, then (afterok) the merge job."""
    fake = tmp_path / "fake-bin" / "sbatch"
    fake.parent.mkdir()
    fake.write_text(FAKE_SBATCH)
    fake.chmod(0o755)
    log = tmp_path / "sbatch.log"
    submitted = subprocess.run(
        ["bash", "-e", "-c", documented_slurm_block()],
        cwd=REPOSITORY,
        env={
            "PATH": f"{fake.parent}:{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "SBATCH_LOG": str(log),
        },
        capture_output=True,
        text=True,
    )
    assert submitted.returncode == 0, submitted.stderr
    array_call, merge_call = [
        shlex.split(line) for line in log.read_text().splitlines()
    ]
    [array] = [a for a in array_call if a.startswith("--array=")]
    first, last = map(int, array.removeprefix("--array=").split("-"))
    count = last
    assert first == 1 and "--parsable" in array_call
    script = Path(array_call[array_call.index(array) + 1])
    assert script == SBATCH.relative_to(REPOSITORY)
    results, *arguments = array_call[array_call.index(array) + 2 :]
    assert f"--dependency=afterok:{4242}1" in merge_call
    merge_script = merge_call[merge_call.index(f"--dependency=afterok:{4242}1") + 1]
    assert Path(merge_script) == MERGE_SBATCH.relative_to(REPOSITORY)
    assert merge_call[-1] == results

    for k in range(1, count + 1):
        done = array_task(k, count, results, arguments, tmp_path, stand_in)
        assert done.returncode == 0, done.stderr
    python, python_log = stand_in
    (tmp_path / "merge-node").mkdir()
    merged = bash(
        MERGE_SBATCH.read_text(),
        tmp_path,
        {
            "SLURM_SUBMIT_DIR": str(REPOSITORY),
            "TMPDIR": str(tmp_path / "merge-node"),
            "PYTHON": str(python),
            "STAND_IN_LOG": str(python_log),
        },
        results,
    )
    assert merged.returncode == 0, merged.stderr
    args = parsed(calls(python_log)[-1]["argv"])
    assert args.command == "merge"
    assert args.results.parent == tmp_path / "merge-node"  # the node's disk
    copied = Path(results)
    assert (copied / RUNS_FILE).read_text().split() == [
        f"shard-{k}-of-{count}.csv" for k in range(1, count + 1)
    ]
    assert (copied / METADATA_FILE).is_file()
    assert list((tmp_path / "merge-node").iterdir()) == []


# --- what the merge says about another machine ---------------------------------


class OtherMachine(FakeTrainer):
    """The same runs, a last digit apart: another processor's rounding."""

    def train_run(self, *args, **kwargs):
        return [
            replace(result, val_accuracy=result.val_accuracy + 1e-7)
            for result in super().train_run(*args, **kwargs)
        ]


def test_the_merge_records_whether_its_retraining_reproduced_the_shards(
    tmp_path, capsys
):
    for k in (1, 2):
        run_sweep(
            TINY_EXPERIMENT, tmp_path, (k, 2), quiet=True, make_trainer=fake_trainer
        )
    merge_shards(tmp_path, quiet=True, make_trainer=lambda split, batch: OtherMachine())
    seeds = read_json(tmp_path / SELECTED_FILE)["seeds"]
    assert [seed["reproduced_sweep"] for seed in seeds] == [False]
    assert "did not reproduce the sweep's numbers" in capsys.readouterr().err
    # on the same machine, it did
    (tmp_path / RUNS_FILE).unlink()
    (tmp_path / METADATA_FILE).unlink()
    merge_shards(tmp_path, quiet=True, make_trainer=fake_trainer)
    seeds = read_json(tmp_path / SELECTED_FILE)["seeds"]
    assert [seed["reproduced_sweep"] for seed in seeds] == [True]


def test_after_a_merge_the_summary_shows_the_shards_machines_and_summed_time(
    tmp_path, monkeypatch
):
    """The table "How the sweep ran" after a merge: the shards' machines only (not
    the merge's, which tests the selection), and a sweep time that adds up the
    shards' sessions and the merge's testing, not the time from start to end."""
    from lab import sweep as lab_sweep
    from lab.report import load_results, sweep_summary

    for k in (1, 2):
        monkeypatch.setattr(
            lab_sweep, "cpu_name", lambda k=k: f"Shard {k} CPU", raising=True
        )
        run_sweep(
            TINY_EXPERIMENT, tmp_path, (k, 2), quiet=True, make_trainer=fake_trainer
        )
    shard_sessions = [
        session
        for path in sorted((tmp_path / SHARDS_DIR).glob("shard-*.json"))
        for session in read_json(path)["sessions"]
    ]
    monkeypatch.setattr(lab_sweep, "cpu_name", lambda: "Merge CPU")
    merge_shards(tmp_path, quiet=True, make_trainer=fake_trainer)
    metadata = read_json(tmp_path / METADATA_FILE)
    assert metadata["sessions"] == shard_sessions
    assert metadata["total_seconds"] == round(
        sum(s["seconds"] for s in shard_sessions) + metadata["test_seconds"], 1
    )
    summary = sweep_summary(load_results(tmp_path))
    assert "Shard 1 CPU" in summary and "Shard 2 CPU" in summary
    assert "Merge CPU" not in summary
    assert f"in {len(shard_sessions)} sessions" in summary


def test_a_stopped_shard_keeps_no_runs_and_the_merge_waits_for_every_shard():
    """A job runner's shard keeps its runs only if it finishes: SLURM's task works
    in a temporary folder removed on exit and copies its files only at the end;
    GitHub's shard job uploads its artifact only if every step before succeeded;
    the merge waits for every shard (afterok; needs without if: always())."""
    script = SBATCH.read_text()
    assert 'work=$(mktemp -d "${TMPDIR:-/tmp}/rmsprop-sweep.XXXXXX")' in script
    assert "trap 'rm -rf \"$work\"' EXIT" in script
    assert script.index('--results "$work"') < script.index('cp "$work/shards/')
    assert "set -euo pipefail" in script
    assert "SLURM_ARRAY_TASK_MIN" in script  # only a whole array 1-N is accepted
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    [upload] = [
        s for s in jobs["shard"]["steps"] if "upload-artifact" in s.get("uses", "")
    ]
    assert "if" not in upload  # default: runs only if the steps before succeeded
    assert "shard" in jobs["merge"]["needs"] and "if" not in jobs["merge"]
    assert MERGE_SBATCH.read_text().count("afterok") >= 1
