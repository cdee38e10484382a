#!/usr/bin/env bash
# Install the benchmark peers (globox, datumaro) into their own virtual environment,
# bench/.venv-peers, so that their pins never touch labelkit's environment.
# Usage: bash bench/setup_peers.sh      (idempotent; takes a few minutes the first time)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-peers"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
# Versions pinned so that benchmark numbers are comparable between runs.
PIP_NO_WARN_SCRIPT_LOCATION=1 "$venv/bin/python" -m pip install --quiet "globox==2.9.0" "datumaro[cli]==1.13.12"
"$venv/bin/globox" --help >/dev/null
"$venv/bin/datum" --version
echo "peers installed in $venv"
