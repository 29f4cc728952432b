#!/usr/bin/env bash
# The one command that installs and runs every test on a fresh machine:
#
#     bash scripts/test.sh            # extra arguments go to pytest, e.g. -k files or -m "not slow"
#     PYTEST_WORKERS=0 bash scripts/test.sh   # run in one process (default: 2 pytest-xdist workers)
#
# Creates .venv if it is missing (with $PYTHON, default python3, which must be 3.11 or newer), installs
# requirements-test.lock into it (requirements-test.txt locked with hashes: scripts/lock.sh), then runs `ruff check .`, `lint-imports` (the layers), `hadolint` and the whole pytest
# suite. Works from any
# directory; stops at the first failing step with a non-zero exit status.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
PYTHON="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "scripts/test.sh: Python 3.11 or newer is needed; run with PYTHON=python3.11 (or newer)." >&2
    exit 1
  fi
  echo "== creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi

echo "== installing requirements-test.lock (hash-checked)"
.venv/bin/python -m pip install --quiet --require-hashes -r requirements-test.lock

# == browser tests: system Chromium =========================================================
# tests/browser drive the app in Debian's chromium (Playwright's own browser download needs a host outside
# the package registries; docs/design.md, "Testing"). Install it when missing: as root directly, else through sudo.
if ! command -v chromium >/dev/null; then
  echo "== installing chromium (apt)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "scripts/test.sh: chromium is missing; install it (apt-get install chromium) or run as root" >&2; exit 1; }
    SUDO=sudo
  fi
  $SUDO apt-get update -qq >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The deployment tests (tests/test_deploy.py, tests/test_load.py) run scripts/serve.py, which puts Debian's haproxy in
# front of the replicas; `haproxy -c` checks deploy/haproxy.cfg. Installed the same way when missing.
if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
  echo "== installing haproxy (apt)"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "scripts/test.sh: haproxy is missing; install it (apt-get install haproxy) or run as root" >&2; exit 1; }
    SUDO=sudo
  fi
  $SUDO apt-get update -qq >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
fi
# ===========================================================================================

echo "== ruff check ."
.venv/bin/ruff check .

echo "== lint-imports (the layers, pyproject.toml)"
.venv/bin/lint-imports --no-cache

echo "== hadolint Dockerfile"
.venv/bin/hadolint Dockerfile

echo "== pytest"
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --durations=15 "$@"  # the slowest tests named in the log
