#!/usr/bin/env bash
# Install newsbot into .venv if needed, then run the bot; with no token configured, open the offline console.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh
token="${NEWSBOT_BOT_TOKEN:-}"
if [ -z "$token" ] && [ -f .env ]; then
    token="$(sed -n 's/^[[:space:]]*NEWSBOT_BOT_TOKEN[[:space:]]*=[[:space:]]*//p' .env | tail -n 1 | tr -d "\"' ")"
fi
if [ -z "$token" ]; then
    echo "No NEWSBOT_BOT_TOKEN configured (see .env.example): starting the offline console instead." >&2
    exec .venv/bin/newsbot console "$@"
fi
exec .venv/bin/newsbot run "$@"
