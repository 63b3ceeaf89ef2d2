#!/usr/bin/env bash
# Rebuild generated/immich_client from openapi/immich-openapi.json; see scripts/regen.py for options.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${IMMICHE_PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x "$root/.venv/bin/python" ]; then python="$root/.venv/bin/python"; else python="python3"; fi
fi
exec "$python" "$root/scripts/regen.py" "$@"
