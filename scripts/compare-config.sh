#!/bin/bash
# Compares what two slipway binaries print for `config` (yaml, json, --services, --volumes,
# --images, --no-normalize --services) over the golden projects, the loader's golden cases and
# the examples, including error messages and exit codes. Run from the repository root:
#   scripts/compare-config.sh OLD_SLIPWAY NEW_SLIPWAY
OLD=$1 NEW=$2
n=0 bad=0 loaded=0
files=$(ls tests/golden/*.yaml; for d in tests/compose/loader/*/; do ls "$d"compose.yaml "$d"docker-compose.yml 2>/dev/null | head -1; done; ls examples/*/compose.yaml 2>/dev/null)
for f in $files; do
  f=$(realpath "$f")
  (cd "$(dirname "$f")" && HOME=/tmp "$NEW" -f "$f" config -q >/dev/null 2>&1) && loaded=$((loaded + 1))
  for args in "config" "config --format json" "config --services" "config --volumes" "config --images" \
              "config --no-normalize --services"; do
    n=$((n + 1))
    a=$(cd "$(dirname "$f")" && HOME=/tmp "$OLD" -f "$f" $args 2>&1; echo "rc=$?")
    b=$(cd "$(dirname "$f")" && HOME=/tmp "$NEW" -f "$f" $args 2>&1; echo "rc=$?")
    if [ "$a" != "$b" ]; then bad=$((bad + 1)); echo "DIFF: $f $args"; fi
  done
done
echo "$loaded projects load; $n outputs compared, $bad differ"
[ "$bad" = 0 ]
