#!/usr/bin/env bash
# Run one stage of `make test` and print how long it took: stage.sh NAME COMMAND...
# With STAGE_LOG set, also append "name<TAB>seconds<TAB>exit<TAB>date" to that file
# (`make bench` quotes the last test run's stages from it).
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
if [ -n "${STAGE_LOG:-}" ]; then
    mkdir -p "$(dirname "${STAGE_LOG}")"
    awk -v s="${start}" -v e="${end}" -v n="${name}" -v c="${status}" -v d="$(date -u +%FT%TZ)" \
        'BEGIN { printf "%s\t%.1f\t%d\t%s\n", n, e - s, c, d }' >> "${STAGE_LOG}"
fi
exit "${status}"
