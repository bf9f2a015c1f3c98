#!/usr/bin/env bash
# make test-colab / make test-low: the kit on another tested stack, in a venv of its own,
# built once and rebuilt when what it is built from changes.
#
# tools/test_stack.sh colab: Google Colab's package versions (stacks/colab.txt) on
# Python 3.13, in .venv-colab:
#   1. build Colab's stack; check every pin is installed as pinned;
#   2. run every lesson's setup cell in a kernel without the kit (it installs the kit from
#      a git snapshot of this checkout, as Colab installs it from GitHub) and check that
#      pip added rnnlab and changed nothing else;
#   3. add the test tools (nbval, coverage) and check the stack again;
#   4. the headless widget tests, against the kit as installed;
#   5. every lesson through nbval, with a stand-in google.colab loaded in each kernel and
#      a check that every widget output carries Colab's custom-manager metadata;
#   6. lesson 7 in classic Notebook 6.5.7 in Chromium: the views render, a slider
#      redraws; and the use_static() fallback where plotly's widget code cannot load.
#
# tools/test_stack.sh low: the oldest supported versions (stacks/py310-low.txt, every
# floor of pyproject.toml) on Python 3.10, in .venv-low: the library and widget tests.
#
# The interpreter: $PYTHON313 / $PYTHON310, else pyenv's, else python3.X on the PATH
# (tools/find_python.sh); without one the target is skipped, or fails under CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STAGE="bash tools/stage.sh"
case "${1:-}" in
    colab) VERSION=3.13 OVERRIDE=${PYTHON313:-} VENV=.venv-colab STACK=stacks/colab.txt ;;
    low) VERSION=3.10 OVERRIDE=${PYTHON310:-} VENV=.venv-low STACK=stacks/py310-low.txt ;;
    *) echo "usage: tools/test_stack.sh colab|low" >&2; exit 2 ;;
esac
KIND=$1
status=0
INTERPRETER=$(bash tools/find_python.sh "$VERSION" "$OVERRIDE") || status=$?
if [ "$status" -eq 2 ]; then echo "make test-$KIND: skipped (no Python $VERSION)"; exit 0; fi
[ "$status" -eq 0 ] || exit "$status"
echo "$STACK on $INTERPRETER"

export RNNLAB_QUICK=1 RNNLAB_DATA="$ROOT/data/cache" TF_CPP_MIN_LOG_LEVEL=2 \
    PYDEVD_DISABLE_FILE_VALIDATION=1
# what the venv is built from: Colab's stack alone (the kit is installed by the tests);
# the low stack installs the kit itself, editable, with pyproject.toml's ranges
stamp="$(cat "$STACK" $([ "$KIND" = low ] && echo pyproject.toml) | sha256sum | cut -c1-64)"
stamp="$stamp $INTERPRETER"

stack_build() {
    set -e  # stage.sh runs this in a bash of its own, without the options above
    if [ ! -f "$VENV/.stack" ] || [ "$(cat "$VENV/.stack")" != "$stamp" ]; then
        rm -rf "$VENV"
        "$INTERPRETER" -m venv "$VENV"
        if [ "$KIND" = colab ]; then
            "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$STACK"
        else
            "$VENV/bin/pip" install --quiet --disable-pip-version-check -c "$STACK" -e ".[test]"
        fi
        echo "$stamp" > "$VENV/.stack"
    fi
    "$VENV/bin/python" tests/stacks.py check "$STACK"
}

stack_add_test_tools() {
    set -e
    # the versions constraints.txt pins, named one by one: that file's other pins are for
    # the 3.11 stack and would move Colab's packages
    local tools
    tools=$(grep -E '^(nbval|coverage)==' constraints.txt)
    if [ "$(echo "$tools" | wc -l)" -ne 2 ]; then
        echo "constraints.txt does not pin both nbval and coverage"
        exit 1
    fi
    # shellcheck disable=SC2086 # one argument per pin
    "$VENV/bin/pip" install --quiet --disable-pip-version-check $tools
    "$VENV/bin/python" tests/stacks.py check "$STACK"
}

stack_widget_tests() {
    set -e
    # the installed kit, not this checkout: pytest's console script and importlib mode
    # keep the checkout off sys.path
    (cd / && "$ROOT/$VENV/bin/python" -c 'import sys, rnnlab.widgets as w
assert w.__file__.startswith(sys.prefix), w.__file__
print("kit under test:", w.__file__)')
    "$VENV/bin/pytest" -q -p no:cacheprovider --import-mode=importlib tests/test_widgets.py
}

stack_lessons_with_colab_hook() {
    set -e
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

# stage.sh runs each step in a bash of its own
export ROOT VENV STACK KIND INTERPRETER stamp
export -f stack_build stack_add_test_tools stack_widget_tests stack_lessons_with_colab_hook

if [ "$KIND" = low ]; then
    $STAGE "low-end: Python 3.10, every floor" stack_build
    $STAGE "low-end: library and widget tests" "$VENV/bin/python" -m pytest tests -q \
        -p no:cacheprovider --ignore=tests/browser --ignore=tests/colab
    exit 0
fi
$STAGE "colab: Colab's stack (Python 3.13)" stack_build
RNNLAB_COLAB_STACK=required $STAGE "colab: every lesson's setup cell, kit missing" \
    "$VENV/bin/python" -m pytest tests/colab/test_setup_cell.py -q -p no:cacheprovider
$STAGE "colab: test tools added, stack unchanged" stack_add_test_tools
$STAGE "colab: widget tests (headless)" stack_widget_tests
$STAGE "colab: lessons (nbval) under Colab's display hook" stack_lessons_with_colab_hook
# from the main environment (Playwright): $MAIN_PYTHON, the Makefile's $(PY)
RNNLAB_COLAB_VENV="$VENV" $STAGE "colab: classic Notebook 6.5.7 in Chromium" \
    "${MAIN_PYTHON:-.venv/bin/python}" -m pytest tests/colab/test_notebook6.py -q \
    -p no:cacheprovider
