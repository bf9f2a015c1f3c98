#!/usr/bin/env bash
# Print the interpreter for Python X.Y: find_python.sh X.Y [OVERRIDE]
#   1. OVERRIDE, when given (the Makefile passes $PYTHON313 or $PYTHON310), and only it;
#   2. pyenv's newest X.Y.* (`pyenv versions --bare`);
#   3. pythonX.Y on PATH.
# Exit 0 with the path; when none is found, say how to provide one on standard error and
# exit 1 under CI (CI set to 1, true or yes, any case: a missing stack must fail the run),
# 2 otherwise (the caller skips).
set -uo pipefail
version=$1
override=${2:-}
found=""
if [ -n "$override" ]; then
    found=$(command -v "$override" 2>/dev/null || true)
elif command -v pyenv >/dev/null 2>&1; then
    pattern="^${version//./\\.}\.[0-9]+$"
    latest=$(pyenv versions --bare 2>/dev/null | grep -E "$pattern" | sort -V | tail -1)
    if [ -n "$latest" ]; then
        found=$(PYENV_VERSION=$latest pyenv which python3 2>/dev/null || true)
    fi
fi
if [ -z "$found" ] && [ -z "$override" ]; then
    found=$(command -v "python${version}" 2>/dev/null || true)
fi
is_version='import sys; sys.exit(sys.version_info[:2] != tuple(map(int, sys.argv[1].split("."))))'
if [ -n "$found" ] && "$found" -c "$is_version" "$version" 2>/dev/null; then
    echo "$found"
    exit 0
fi
variable="PYTHON${version//./}"
if [ -n "$override" ]; then
    tried="\$${variable}=${override}"
else
    tried="pyenv, python${version} on PATH"
fi
echo "no Python ${version} found (tried ${tried}): install it, or run" \
    "make ${variable}=/path/to/python${version} ..." >&2
case "$(echo "${CI:-}" | tr '[:upper:]' '[:lower:]')" in
    1 | true | yes) exit 1 ;;
    *) exit 2 ;;
esac
