#!/usr/bin/env bash
# Create .venv (once; NEWSBOT_VENV names another folder) and install newsbot into it; reinstalls when
# pyproject.toml changed.
# Usage: scripts/setup-venv.sh [EXTRAS]   e.g. scripts/setup-venv.sh dev
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
venv="${NEWSBOT_VENV:-.venv}"
spec="."
[ -n "$extras" ] && spec=".[$extras]"
stamp="$venv/.newsbot-installed"
sha="$(python3 -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml","rb").read()).hexdigest())')"
want="$sha $extras"
have="$(cat "$stamp" 2>/dev/null || true)"
# Every install with extras holds the plain one: run.sh after test.sh has nothing to install.
if [ -z "$extras" ] && [ "${have%% *}" = "$sha" ]; then
    have="$want"
fi
if [ ! -e "$venv" ] || { [ -d "$venv" ] && [ -z "$(ls -A "$venv")" ]; }; then
    python3 -m venv "$venv"
elif ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
    # --clear below deletes everything in the folder: only a folder that venv made (pyvenv.cfg) may go.
    if [ ! -f "$venv/pyvenv.cfg" ]; then
        echo "$venv is not a virtual environment and not empty: set NEWSBOT_VENV to a new or empty folder" \
            "(or to a virtual environment)" >&2
        exit 1
    fi
    # Its Python was removed or upgraded, or the folder came from another machine: only a new one helps.
    echo "$venv is broken (its python does not run): creating it again." >&2
    python3 -m venv --clear "$venv"
fi
if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    # Debian's python3 without python3-venv stops `python3 -m venv` half-way, leaving a venv with no pip, and every
    # later run failed installing with "No module named pip" even after python3-venv was installed.
    echo "$venv has no pip: adding it." >&2
    if ! "$venv/bin/python" -m ensurepip >/dev/null 2>&1; then
        echo "Cannot add pip to $venv: on Debian and Ubuntu, install python3-venv first." >&2
        exit 1
    fi
fi
# The stamp says what was installed; a package removed or damaged since then is installed again.
# -I: not the source tree in the current folder, the installed newsbot.
if [ "$have" != "$want" ] || [ ! -x "$venv/bin/newsbot" ] \
    || ! "$venv/bin/python" -I -c 'import bot.cli' >/dev/null 2>&1; then
    echo "Installing newsbot${extras:+ with [$extras]} into $venv (the first time takes a minute)..." >&2
    log="$venv/install.log"
    if ! { "$venv/bin/python" -m pip install --upgrade pip && "$venv/bin/python" -m pip install -e "$spec"; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "Installing newsbot failed; the full log is in $log" >&2
        exit 1
    fi
    echo "$want" > "$stamp"
fi
