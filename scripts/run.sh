#!/usr/bin/env bash
# Install newsbot into .venv if needed, then run the bot; with no token configured, open the offline console.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh
venv="${NEWSBOT_VENV:-.venv}"  # as setup-venv.sh: relative to the project folder
# newsbot's own settings decide (environment, then .env with its quotes, `export`, comments or BOM): exit 3
# means no token. Any other failure is left to `newsbot run`, which names the setting to fix, as is a .env line
# it cannot read (python-dotenv skips it: a token on it looked unset, and the console opened).
status=0
"$venv/bin/python" -I -c 'import sys; from bot.config import Settings, env_file_problem
sys.exit(0 if env_file_problem() or Settings().bot_token else 3)' >/dev/null 2>&1 || status=$?
if [ "$status" = 3 ]; then
    echo "No NEWSBOT_BOT_TOKEN configured (see .env.example): starting the offline console instead." >&2
    exec "$venv/bin/newsbot" console "$@"
fi
exec "$venv/bin/newsbot" run "$@"
