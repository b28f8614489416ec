#!/usr/bin/env bash
# Create .venv (once) and install newsbot into it; reinstalls when pyproject.toml changed.
# Usage: scripts/setup-venv.sh [EXTRAS]   e.g. scripts/setup-venv.sh dev
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
venv="${NEWSBOT_VENV:-.venv}"
spec="."
[ -n "$extras" ] && spec=".[$extras]"
stamp="$venv/.newsbot-installed"
want="$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest())') $extras"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
    "$venv/bin/python" -m pip install --quiet -e "$spec" >&2
    echo "$want" > "$stamp"
fi
