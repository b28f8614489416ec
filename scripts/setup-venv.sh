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
want="$(python3 -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest())') $extras"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing newsbot${extras:+ with [$extras]} into $venv (the first time takes a minute)..." >&2
    log="$venv/install.log"
    if ! { "$venv/bin/python" -m pip install --upgrade pip && "$venv/bin/python" -m pip install -e "$spec"; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "Installing newsbot failed; the full log is in $log" >&2
        exit 1
    fi
    echo "$want" > "$stamp"
fi
