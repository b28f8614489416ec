#!/usr/bin/env bash
# Install newsbot with its dev extras into .venv if needed, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh dev
venv="${NEWSBOT_VENV:-.venv}"  # as setup-venv.sh: relative to the project folder
exec "$venv/bin/python" -m pytest "$@"
