#!/usr/bin/env bash
# make test-colab: the kit on Google Colab's package versions (stacks/colab.txt, Python
# 3.13), in .venv-colab, built once and rebuilt when the stack file changes.
#   1. build Colab's stack; check every pin is installed as pinned;
#   2. run every lesson's setup cell in a kernel without the kit (it installs the kit from
#      a git snapshot of this checkout, as Colab installs it from GitHub) and check that
#      pip added rnnlab and changed nothing else;
#   3. add the test tools (nbval, coverage) and check the stack again;
#   4. the headless widget tests, against the kit as installed;
#   5. every lesson through nbval, with a stand-in google.colab loaded in each kernel and
#      a check that every widget output carries Colab's custom-manager metadata;
#   6. lesson 7 in classic Notebook 6.5.7 in Chromium: the views render, a slider redraws.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=.venv-colab
STAGE="bash tools/stage.sh"
status=0
PY313=$(bash tools/find_python.sh 3.13 "${PYTHON313:-}") || status=$?
if [ "$status" -eq 2 ]; then echo "make test-colab: skipped (no Python 3.13)"; exit 0; fi
[ "$status" -eq 0 ] || exit "$status"
echo "Colab's stack on $PY313"

export RNNLAB_QUICK=1 RNNLAB_DATA="$ROOT/data/cache" TF_CPP_MIN_LOG_LEVEL=2
stamp="$(sha256sum stacks/colab.txt | cut -c1-64) $PY313"

build() {
    if [ ! -f "$VENV/.stack" ] || [ "$(cat "$VENV/.stack")" != "$stamp" ]; then
        rm -rf "$VENV"
        "$PY313" -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check -r stacks/colab.txt
        echo "$stamp" > "$VENV/.stack"
    fi
    "$VENV/bin/python" tests/stacks.py check stacks/colab.txt
}

add_test_tools() {
    # the versions constraints.txt pins, named one by one: that file's other pins are for
    # the 3.11 stack and would move Colab's packages
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        $(grep -E '^(nbval|coverage)==' constraints.txt)
    "$VENV/bin/python" tests/stacks.py check stacks/colab.txt
}

lessons_with_colab_hook() {
    local ipython
    ipython=$(mktemp -d)
    mkdir -p "$ipython/profile_default/startup"
    echo "import google.colab  # loaded in every Colab kernel" \
        > "$ipython/profile_default/startup/00-colab.py"
    IPYTHONDIR="$ipython" PYTHONPATH="$ROOT/tests/colab/standin" \
        "$VENV/bin/python" -m pytest lessons -q -p no:cacheprovider --nbval-lax \
        --nbval-current-env --nbval-sanitize-with lessons/nbval_sanitize.cfg \
        -p tests.colab.widget_outputs
}

widget_tests() {
    # the installed kit, not this checkout: pytest's console script and importlib mode
    # keep the checkout off sys.path
    (cd / && "$ROOT/$VENV/bin/python" -c 'import rnnlab.widgets as w; print("kit under test:", w.__file__)')
    "$VENV/bin/pytest" -q -p no:cacheprovider --import-mode=importlib tests/test_widgets.py
}

# stage.sh runs each step in a bash of its own
export ROOT VENV PY313 stamp
export -f build add_test_tools lessons_with_colab_hook widget_tests

$STAGE "colab: Colab's stack (Python 3.13)" build
RNNLAB_COLAB_STACK=required $STAGE "colab: every lesson's setup cell, kit missing" \
    "$VENV/bin/python" -m pytest tests/colab/test_setup_cell.py -q -p no:cacheprovider
$STAGE "colab: test tools added, stack unchanged" add_test_tools
$STAGE "colab: widget tests (headless)" widget_tests
$STAGE "colab: lessons (nbval) under Colab's display hook" lessons_with_colab_hook
RNNLAB_COLAB_VENV="$VENV" $STAGE "colab: lesson 7 in classic Notebook 6.5.7 (Chromium)" \
    .venv/bin/python -m pytest tests/colab/test_notebook6.py -q -p no:cacheprovider
