#!/usr/bin/env bash
# Run one stage of `make test` and print how long it took: stage.sh NAME COMMAND...
set -uo pipefail
name=$1; shift
now() { python3 -c 'import time; print(time.time())'; }
echo "==> ${name}"
start=$(now)
"$@"
status=$?
end=$(now)
awk -v s="${start}" -v e="${end}" -v n="${name}" -v c="${status}" \
    'BEGIN { printf "<== %s: %.1f s (exit %d)\n", n, e - s, c }'
exit "${status}"
