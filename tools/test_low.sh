#!/usr/bin/env bash
# make test-low: the oldest supported stack (stacks/py310-low.txt, each floor of
# pyproject.toml, Python 3.10) in .venv-low, rebuilt when that file or pyproject.toml
# changes; the library and headless widget tests run there.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-low
STAGE="bash tools/stage.sh"
status=0
PY310=$(bash tools/find_python.sh 3.10 "${PYTHON310:-}") || status=$?
if [ "$status" -eq 2 ]; then echo "make test-low: skipped (no Python 3.10)"; exit 0; fi
[ "$status" -eq 0 ] || exit "$status"
echo "low-end stack on $PY310"

export RNNLAB_QUICK=1 RNNLAB_DATA="$PWD/data/cache" TF_CPP_MIN_LOG_LEVEL=2
stamp="$(cat stacks/py310-low.txt pyproject.toml | sha256sum | cut -c1-64) $PY310"

build() {
    if [ ! -f "$VENV/.stack" ] || [ "$(cat "$VENV/.stack")" != "$stamp" ]; then
        rm -rf "$VENV"
        "$PY310" -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check \
            -c stacks/py310-low.txt -e ".[test]"
        echo "$stamp" > "$VENV/.stack"
    fi
    "$VENV/bin/python" tests/stacks.py check stacks/py310-low.txt
}

# stage.sh runs each step in a bash of its own
export VENV PY310 stamp
export -f build

$STAGE "low-end: Python 3.10, every floor" build
$STAGE "low-end: library and widget tests" "$VENV/bin/python" -m pytest tests -q \
    -p no:cacheprovider --ignore=tests/browser --ignore=tests/colab
