#!/usr/bin/env bash
# Drill benchmark: time of `slipway drill` on the example stack (examples/guestbook): restore
# the latest snapshot into a throwaway copy, start it, load the database dump, run the tests,
# remove the copy. Runs on a copy of the example in a temporary directory (project "gbbench"),
# with its own restic repository, so nothing of a running guestbook is touched.
#
# usage: bench/backup-drill.sh [path/to/slipway]      (default: build/slipway)
set -euo pipefail
cd "$(dirname "$0")/.."
slipway=$(realpath "${1:-build/slipway}")
[[ -x $slipway ]] || { echo "bench: $slipway not found (build it, or pass its path)" >&2; exit 1; }

work=$(mktemp -d /tmp/slipway-bench-drill-XXXXXX)
stack=$work/gbbench
cp -r examples/guestbook "$stack"
cleanup() {
  (cd "$stack" && "$slipway" down -v >/dev/null 2>&1) || true
  docker rmi gbbench-web gbbench-db gbbench-smtp >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The example's own tests when it has them; else one check that the restored database answers.
if [[ ! -d $stack/tests ]]; then
  mkdir -p "$stack/tests"
  cat >"$stack/tests/drill.yaml" <<'YAML'
command:
  database-answers:
    x-service: db
    exec: "runuser -u postgres -- psql -tA -d guestbook -c 'select 1'"
    exit-status: 0
    stdout: ["1"]
YAML
fi
printf 'bench password\n' >"$work/password"
export SLIPWAY_BACKUP_REPOSITORY=$work/repo RESTIC_PASSWORD_FILE=$work/password SLIPWAY_STATE_DIR=$work/state

cd "$stack"
echo "bench: starting the example stack"
"$slipway" up -d >/dev/null
echo "bench: backing it up"
"$slipway" backup >/dev/null 2>&1
t0=$(date +%s.%N)
"$slipway" drill --json >"$work/drill.json"
t1=$(date +%s.%N)
printf 'drill of the example stack: %.1f s (passed: %s)\n' "$(echo "$t1 - $t0" | bc)" \
  "$(grep -o '"passed": [a-z]*' "$work/drill.json" | cut -d' ' -f2)"
