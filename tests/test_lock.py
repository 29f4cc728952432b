"""The lock files match the requirements files (issue 15, supply chain).

``requirements.lock`` (the app: requirements.txt) and ``requirements-test.lock`` (the tests: requirements-test.txt)
are written by ``bash scripts/lock.sh`` (uv pip compile --generate-hashes). The README's commands, scripts/test.sh
and the Dockerfile install from them with ``--require-hashes``. Checked here: every pin of a requirements file
(with the files it includes by ``-r``) is in its lock at the same version; every package of a lock is pinned to one
version and carries sha256 hashes; the tests' lock holds the app's lock unchanged (the tests run the app's
environment); and the install commands use the locks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"requirements.txt": "requirements.lock", "requirements-test.txt": "requirements-test.lock"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._\-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(name: str) -> dict[str, str]:
    """The pins of a requirements file and of the files it includes (-r)."""
    pins = {}
    for raw in (ROOT / name).read_text().splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        if line.startswith("-r"):
            pins.update(requirements(line[2:].strip()))
            continue
        found = PIN.match(line)
        assert found, f"{name}: {line!r} is not pinned with =="
        pins[canonical(found[1])] = found[3]
    return pins


def lock_entries(name: str) -> dict[str, tuple[str, list[str]]]:
    """{package: (version, [sha256 hashes])} of a lock file (uv's format: a pin, then --hash lines)."""
    text = (ROOT / name).read_text()
    entries, current = {}, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            found = PIN.match(line)
            assert found, f"{name}: {line!r} is not a pinned package"
            current = canonical(found[1])
            assert current not in entries, f"{name} pins {current} twice"
            entries[current] = (found[3], [])
        else:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", line)
            assert current is not None and hashes, f"{name}: unexpected line {line!r}"
            entries[current][1].extend(hashes)
    return entries


@pytest.mark.parametrize("source, lock", LOCKS.items())
def test_every_pin_of_the_requirements_is_in_the_lock_at_its_version(source, lock):
    entries = lock_entries(lock)
    for package, version in requirements(source).items():
        assert package in entries, f"{lock} lacks {package} (run bash scripts/lock.sh)"
        assert entries[package][0] == version, f"{lock} has {package}=={entries[package][0]}, {source} {version}"


@pytest.mark.parametrize("lock", LOCKS.values())
def test_every_locked_package_is_pinned_with_hashes(lock):
    text = (ROOT / lock).read_text()
    assert "bash scripts/lock.sh" in text.splitlines()[1], "the lock names the command that rebuilds it"
    entries = lock_entries(lock)
    assert len(entries) > len(requirements("requirements.txt")), "the lock holds the transitive dependencies too"
    for package, (_, hashes) in entries.items():
        assert hashes, f"{lock}: {package} has no hash"


def test_the_tests_lock_holds_the_apps_lock_unchanged():
    app, tests = lock_entries("requirements.lock"), lock_entries("requirements-test.lock")
    for package, (version, _) in app.items():
        assert package in tests and tests[package][0] == version, package


def test_the_install_commands_use_the_locks_with_hashes():
    readme = (ROOT / "README.md").read_text()
    assert "pip install --require-hashes -r requirements.lock" in readme
    assert "--require-hashes -r requirements-test.lock" in (ROOT / "scripts" / "test.sh").read_text()
    assert "--require-hashes -r requirements.lock" in (ROOT / "Dockerfile").read_text()
