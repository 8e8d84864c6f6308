#!/usr/bin/env bash
# The project's Python environment (.venv/): PySpark for the Glue job run locally (spark-etl) and
# checkov for the Terraform scan. Every package is pinned in tools/setup/requirements.txt; the venv is
# rebuilt only when that file changes (its sha256 is kept in .venv/.requirements.sha256). Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv"
requirements="$root/tools/setup/requirements.txt"
python="${LAKEPIPE_PYTHON:-python3.11}"
command -v "$python" >/dev/null 2>&1 || python=python3
if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "lakepipe needs Python 3.11 (Glue 5.0's Python) for .venv; found $("$python" --version 2>&1)" >&2
  exit 1
fi
want="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ -f "$venv/.requirements.sha256" ] && [ "$(cat "$venv/.requirements.sha256")" = "$want" ]; then
  exit 0
fi
echo "setting up $venv from tools/setup/requirements.txt (first time: a few minutes, PySpark is 317 MB)" >&2
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements"
echo "$want" >"$venv/.requirements.sha256"
