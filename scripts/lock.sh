#!/usr/bin/env bash
# Rebuild the lock files with hashes from the requirements files (uv, from PyPI: pip install uv):
#
#     bash scripts/lock.sh              # keep every version the locks already pin (uv prefers them)
#     bash scripts/lock.sh --upgrade    # move every transitive dependency to its newest release
#
# requirements.lock is the app's environment (requirements.txt, what the README and the Dockerfile install),
# requirements-test.lock the tests' (requirements-test.txt, what scripts/test.sh installs); both resolved for every
# platform (--universal) from Python 3.11 on. pip installs them in hash-checking mode: a wheel whose hash differs is
# refused. tests/test_lock.py checks that each lock pins exactly the versions of its requirements files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
UV="${UV:-uv}"
for name in requirements requirements-test; do
  "$UV" pip compile "$name.txt" --generate-hashes --universal --python-version 3.11 \
    --custom-compile-command "bash scripts/lock.sh" -o "$name.lock" "$@"
done
