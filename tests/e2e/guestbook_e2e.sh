#!/usr/bin/env bash
# End-to-end check of the example stack (examples/guestbook) with slipway and the real engine:
#   up -d (building the images) -> POST /entries -> the entry in GET /entries -> its notification
#   mail in GET /mail -> a second up changes nothing -> down -v leaves nothing behind.
# Runs under a project name of its own and a free host port, so a running demo (guestbook on
# 127.0.0.1:8080) is neither touched nor in the way. Everything it creates (containers, volumes,
# network, the per-run image tags) is removed on exit, also on failure or Ctrl-C.
#
#   tests/e2e/guestbook_e2e.sh
#   SLIPWAY=path   the slipway binary (default: build it in BUILD_DIR, default build)
#   KEEP=1         keep the stack running on failure, to look at it (remove it with the printed command)
# Needs: a Docker engine, debian:bookworm (`slipway base debian:bookworm`), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
stack_dir=$root/examples/guestbook
unset COMPOSE_FILE COMPOSE_PROJECT_NAME COMPOSE_PROFILES

say() { printf 'e2e: %s\n' "$*"; }
fail() { printf 'e2e: FAILED: %s\n' "$*" >&2; exit 1; }
for tool in docker curl python3 ss; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/setup; apt-get install docker.io curl python3 iproute2)"
done
docker info >/dev/null 2>&1 || fail "no Docker engine answers (is dockerd running? DOCKER_HOST?)"

if [[ -n ${SLIPWAY:-} ]]; then
  slipway=$(realpath "$SLIPWAY")
else
  build=${BUILD_DIR:-build}
  say "building slipway in $build"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$build" -j "$(nproc)" slipway >/dev/null
  slipway=$root/$build/slipway
fi
[[ -x $slipway ]] || fail "no slipway binary at $slipway"
docker image inspect debian:bookworm >/dev/null 2>&1 ||
  fail "the base image debian:bookworm is missing (make it: $slipway base debian:bookworm)"

project=swe2e$$
work=$(mktemp -d /tmp/slipway-e2e-XXXXXX)
label=label=com.docker.compose.project=$project
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if ((rc != 0)) && [[ -n ${KEEP:-} ]]; then
    echo "e2e: kept project $project and $work; remove with: $slipway ${sw[*]} down -v" >&2
    exit "$rc"
  fi
  ((rc == 0)) || { echo "e2e: slipway's output so far:" >&2; tail -n 40 "$work/log" >&2; }
  ((${#sw[@]} == 0)) || "$slipway" "${sw[@]}" down -v >/dev/null 2>&1
  # Whatever down could not remove, found by the project label.
  ids=$(docker ps -aq --filter "$label"); [[ -z $ids ]] || docker rm -f -v $ids >/dev/null 2>&1
  ids=$(docker network ls -q --filter "$label"); [[ -z $ids ]] || docker network rm $ids >/dev/null 2>&1
  ids=$(docker volume ls -q --filter "$label"); [[ -z $ids ]] || docker volume rm -f $ids >/dev/null 2>&1
  # The images are the guestbook's layers plus slipway's labels: only the run's names go.
  for s in db smtp web; do docker image rm "$project-$s" >/dev/null 2>&1; done
  rm -rf "$work"
  exit "$rc"
}
sw=()
trap cleanup EXIT
trap 'exit 130' INT TERM

port=
for _ in $(seq 1 200); do
  p=$((20000 + RANDOM % 20000))
  [[ -z $(ss -Hltn "sport = :$p") ]] && { port=$p; break; }
done
[[ -n $port ]] || fail "found no free TCP port"
# The stack's file with only the published host port changed; --project-directory keeps every
# relative path (build contexts, secrets) resolving as in the original.
sed "s/\"127\.0\.0\.1:8080:8000\"/\"127.0.0.1:$port:8000\"/" "$stack_dir/compose.yaml" >"$work/compose.yaml"
grep -q "127.0.0.1:$port:8000" "$work/compose.yaml" ||
  fail "examples/guestbook/compose.yaml no longer publishes \"127.0.0.1:8080:8000\" (update this test)"
sw=(-f "$work/compose.yaml" --project-directory "$stack_dir" -p "$project")
url=http://127.0.0.1:$port
: >"$work/log"

json() {  # json EXPR < document: prints the Python expression EXPR over the parsed document `d`
  python3 -c 'import json, sys; d = json.load(sys.stdin); r = eval(sys.argv[1]); print(r if isinstance(r, str) else json.dumps(r))' "$1"
}
containers() { docker ps -aq --no-trunc --filter "$label" | sort; }

say "project $project on $url (stack examples/guestbook)"
[[ -z $(containers) ]] || fail "project $project already has containers (a leftover of another run?)"

say "slipway up -d (builds the images, waits for db and smtp to be healthy)"
t0=$(date +%s)
timeout 900 "$slipway" "${sw[@]}" up -d >>"$work/log" 2>&1 || fail "slipway up -d failed"
say "up returned after $(($(date +%s) - t0)) s"
for s in db smtp web; do
  n=$(docker ps -q --filter "$label" --filter "label=com.docker.compose.service=$s" | wc -l)
  [[ $n == 1 ]] || fail "service $s has $n running containers after up, expected 1"
done

healthy=
for _ in $(seq 1 120); do
  if curl -fsS --max-time 3 "$url/health" >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 0.5
done
[[ -n $healthy ]] || fail "$url/health did not answer 200 within 60 s after up"
say "GET /health: ok"

name="E2E visitor $$"
message="written by tests/e2e/guestbook_e2e.sh at $(date -u +%H:%M:%S)"
status=$(curl -sS --max-time 30 -o "$work/post" -w '%{http_code}' -H 'Content-Type: application/json' \
  --data "{\"name\": \"$name\", \"message\": \"$message\"}" "$url/entries") || fail "POST /entries: no answer"
[[ $status == 201 ]] || fail "POST /entries answered $status: $(cat "$work/post")"
id=$(json 'd["id"]' <"$work/post") || fail "POST /entries answered no entry id: $(cat "$work/post")"
[[ $(json 'd["notified"]' <"$work/post") == true ]] ||
  fail "entry #$id stored but no notification mail sent: $(cat "$work/post")"
say "POST /entries: 201, entry #$id, notified"

curl -fsS --max-time 10 "$url/entries" >"$work/entries" || fail "GET /entries failed"
found=$(json "[e['message'] for e in d['entries'] if e['id'] == $id and e['name'] == '$name']" <"$work/entries")
[[ $found == "[\"$message\"]" ]] || fail "entry #$id is not in GET /entries as posted: $(head -c 600 "$work/entries")"
say "GET /entries: entry #$id read back from PostgreSQL"

subject="New guestbook entry #$id from $name"
delivered=
for _ in $(seq 1 20); do
  curl -fsS --max-time 10 "$url/mail" >"$work/mail" || fail "GET /mail failed"
  n=$(json "len([m for m in d['messages'] if m['subject'] == '$subject'])" <"$work/mail")
  [[ $n == 1 ]] && { delivered=yes; break; }
  sleep 0.5
done
[[ -n $delivered ]] || fail "no mail \"$subject\" in GET /mail within 10 s: $(head -c 600 "$work/mail")"
say "GET /mail: \"$subject\" delivered to the owner's Maildir"

before=$(containers)
"$slipway" "${sw[@]}" up --dry-run >"$work/dry" 2>>"$work/log" || fail "slipway up --dry-run failed"
[[ $(cat "$work/dry") == "nothing to do" ]] || fail "a second up would change the running stack: $(cat "$work/dry")"
"$slipway" "${sw[@]}" up --dry-run --json >"$work/dry.json" 2>>"$work/log" || fail "slipway up --dry-run --json failed"
[[ $(json 'len(d["actions"])' <"$work/dry.json") == 0 ]] || fail "up --dry-run --json plans actions: $(cat "$work/dry.json")"
"$slipway" "${sw[@]}" up -d >>"$work/log" 2>&1 || fail "the second slipway up -d failed"
[[ $(containers) == "$before" ]] || fail "the second up -d replaced containers"
curl -fsS --max-time 10 "$url/entries" >"$work/entries" || fail "GET /entries failed after the second up"
[[ $(json "len([e for e in d['entries'] if e['id'] == $id])" <"$work/entries") == 1 ]] ||
  fail "entry #$id is gone after the second up"
say "second up: nothing to do, same containers"

"$slipway" "${sw[@]}" down -v >>"$work/log" 2>&1 || fail "slipway down -v failed"
left=$( (docker ps -aq --filter "$label"; docker volume ls -q --filter "$label"; docker network ls -q --filter "$label") | wc -l)
[[ $left == 0 ]] || fail "down -v left $left containers/volumes/networks of project $project"
say "down -v: no container, volume or network of $project left"
say "PASSED"
