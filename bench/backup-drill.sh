#!/usr/bin/env bash
# Drill benchmark: time of `slipway drill` on the example stack (examples/guestbook): restore
# the latest snapshot into a throwaway copy, start it, load the database dump, run the tests,
# remove the copy. Before the backup it POSTs one entry and waits for its mail, which the drill's
# tests/drill/*.yaml look for in the restored copy. Runs on a copy of the example in a temporary
# directory (project "gbbench"), with its own restic repository, so nothing of a running
# guestbook is touched.
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

# tests/drill/*.yaml check restored data: an entry and its mail must exist before the backup.
# The web app's host address is whatever compose.yaml publishes for its port 8000.
web=$(docker ps -q --filter label=com.docker.compose.project=gbbench \
  --filter label=com.docker.compose.service=web | head -n1)
[[ -n $web ]] || { echo "bench: the web container of gbbench is not running" >&2; exit 1; }
url=http://$(docker port "$web" 8000/tcp | head -n1)
echo "bench: writing an entry through $url"
deadline=$((SECONDS + 120))
until curl -fsS -o /dev/null --max-time 5 "$url/health" 2>/dev/null; do
  ((SECONDS < deadline)) || { echo "bench: $url/health did not answer within 120 s" >&2; exit 1; }
  sleep 1
done
curl -fsS --max-time 30 -o /dev/null -H 'Content-Type: application/json' \
  -d '{"name": "bench-drill", "message": "written before the backup"}' "$url/entries"
deadline=$((SECONDS + 60))
until curl -fsS --max-time 5 "$url/mail" 2>/dev/null | grep -q 'New guestbook entry #[0-9]* from bench-drill'; do
  ((SECONDS < deadline)) || { echo "bench: the entry's mail is not in $url/mail after 60 s" >&2; exit 1; }
  sleep 1
done

echo "bench: backing it up"
"$slipway" backup --init >/dev/null
t0=$(date +%s.%N)
"$slipway" drill --json >"$work/drill.json"
t1=$(date +%s.%N)
printf 'drill of the example stack: %.1f s (passed: %s)\n' "$(echo "$t1 - $t0" | bc)" \
  "$(grep -o '"passed": [a-z]*' "$work/drill.json" | cut -d' ' -f2)"
