#!/usr/bin/env bash
# Crash safety end to end: slipway is SIGKILLed just before its Nth state-changing engine
# request (tests/support/fault_relay, the slipway-fault-relay program), for every N of
#   - `up -d` from nothing,
#   - `up -d` recreating both services of a running stack,
#   - `down`,
# and after each kill a plain `slipway up -d` (or `down`) must converge: one running, healthy,
# current container per service under its own name, its secret in place, the data volume's
# content intact (or, for down, nothing left).
#
# The stack (written here): db (healthcheck, a secret, a data volume) and web (the same
# secret, depends_on db: service_healthy), both FROM scratch with Debian's busybox-static.
# Everything runs under a project name of its own and is removed on exit.
#
#   tests/e2e/crash_e2e.sh
#   SLIPWAY=path              the slipway binary (default: build/slipway)
#   SLIPWAY_FAULT_RELAY=path  the relay (default: build/slipway-fault-relay)
#   ONLY=up|recreate|down     run one scenario
# Prints "converged in X of Y" per scenario; exits 1 when any run did not converge.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
unset COMPOSE_FILE COMPOSE_PROJECT_NAME COMPOSE_PROFILES

say() { printf 'crash: %s\n' "$*"; }
fail() { printf 'crash: FAILED: %s\n' "$*" >&2; exit 1; }
command -v docker >/dev/null || fail "docker not found"
docker info >/dev/null 2>&1 || fail "no Docker engine answers (is dockerd running? DOCKER_HOST?)"
[[ -x /bin/busybox ]] || fail "/bin/busybox missing (apt-get install busybox-static)"
slipway=$(realpath "${SLIPWAY:-build/slipway}")
relay_bin=$(realpath "${SLIPWAY_FAULT_RELAY:-build/slipway-fault-relay}")
[[ -x $slipway ]] || fail "no slipway binary at $slipway"
[[ -x $relay_bin ]] || fail "no slipway-fault-relay at $relay_bin (ninja -C build slipway-fault-relay)"

project=swcrash$$
work=$(mktemp -d /tmp/slipway-crash-XXXXXX)
label=label=com.docker.compose.project=$project
sw=(-f "$work/stack/compose.yaml" -p "$project")
relay_pid=
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  [[ -z $relay_pid ]] || { kill "$relay_pid"; wait "$relay_pid"; } 2>/dev/null
  ((rc == 0)) || { echo "crash: the last slipway output:" >&2; tail -n 30 "$work/log" >&2; }
  "$slipway" "${sw[@]}" down -v >/dev/null 2>&1
  ids=$(docker ps -aq --filter "$label"); [[ -z $ids ]] || docker rm -f -v $ids >/dev/null 2>&1
  ids=$(docker network ls -q --filter "$label"); [[ -z $ids ]] || docker network rm $ids >/dev/null 2>&1
  ids=$(docker volume ls -q --filter "$label"); [[ -z $ids ]] || docker volume rm -f $ids >/dev/null 2>&1
  docker image rm "$project-db" "$project-web" >/dev/null 2>&1
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$work/stack/img"
cp /bin/busybox "$work/stack/img/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\n' >"$work/stack/img/Dockerfile"
printf 's3cret-%s' "$$" >"$work/stack/pw.txt"
chmod 0600 "$work/stack/pw.txt"
# $1: a value that changes both services' configuration (so `up` recreates them).
write_stack() {
  cat >"$work/stack/compose.yaml" <<EOF
services:
  db:
    build: ./img
    command: ["/bin/busybox", "sleep", "100000"]
    environment: {GENERATION: "$1"}
    stop_grace_period: 1s
    secrets: [{source: pw, target: pw, mode: 0400}]
    volumes: [data:/data]
    healthcheck:
      test: ["CMD", "/bin/busybox", "test", "-s", "/run/secrets/pw"]
      interval: 1s
      timeout: 2s
      retries: 30
  web:
    build: ./img
    command: ["/bin/busybox", "sleep", "100000"]
    environment: {GENERATION: "$1"}
    stop_grace_period: 1s
    secrets: [{source: pw, target: pw, uid: "1000", mode: 0400}]
    depends_on:
      db: {condition: service_healthy}
volumes:
  data:
secrets:
  pw:
    file: ./pw.txt
EOF
}
: >"$work/log"
sl() { timeout 300 "$slipway" "${sw[@]}" "$@" >>"$work/log" 2>&1; }

# Converged: each service has exactly one container, named <project>-<svc>-1, running, db
# healthy, the secret readable inside, the volume's marker intact, and a plan with nothing to do.
converged() {
  local s ids state
  for s in db web; do
    ids=$(docker ps -aq --filter "$label" --filter "label=com.docker.compose.service=$s")
    [[ $(wc -w <<<"$ids") == 1 ]] || { echo "service $s has $(wc -w <<<"$ids") containers"; return 1; }
    state=$(docker inspect -f '{{.Name}} {{.State.Status}}' "$ids")
    [[ $state == "/$project-$s-1 running" ]] || { echo "service $s: $state"; return 1; }
    [[ $(docker exec "$project-$s-1" /bin/busybox cat /run/secrets/pw) == "s3cret-$$" ]] ||
      { echo "service $s: secret missing"; return 1; }
  done
  for _ in $(seq 1 60); do
    [[ $(docker inspect -f '{{.State.Health.Status}}' "$project-db-1") == healthy ]] && break
    sleep 0.5
  done
  [[ $(docker inspect -f '{{.State.Health.Status}}' "$project-db-1") == healthy ]] || { echo "db not healthy"; return 1; }
  [[ $(docker exec "$project-db-1" /bin/busybox cat /data/marker 2>/dev/null) == kept ]] ||
    { echo "the data volume lost its content"; return 1; }
  [[ $("$slipway" "${sw[@]}" up --dry-run 2>>"$work/log") == "nothing to do" ]] ||
    { echo "a further up would still change things"; return 1; }
}
nothing_left() {
  [[ -z $(docker ps -aq --filter "$label") ]] || { echo "containers left"; return 1; }
  [[ -z $(docker network ls -q --filter "$label") ]] || { echo "networks left"; return 1; }
}

# Runs slipway "$@" through a relay that kills it at request $n; the relay's log is $work/relay.log.
through_relay() {
  local n=$1; shift
  rm -f "$work/relay.sock" "$work/relay.log"
  "$relay_bin" --listen "$work/relay.sock" ${n:+--kill-at "$n"} --log "$work/relay.log" >/dev/null 2>&1 &
  relay_pid=$!
  for _ in $(seq 1 100); do [[ -S $work/relay.sock ]] && break; sleep 0.1; done
  local rc=0
  DOCKER_HOST="unix://$work/relay.sock" timeout 300 "$slipway" "${sw[@]}" "$@" >>"$work/log" 2>&1 || rc=$?
  kill "$relay_pid"; wait "$relay_pid" 2>/dev/null || true
  relay_pid=
  return "$rc"
}
count_requests() { grep -c '^[A-Z]' "$work/relay.log" || true; }

fresh_stack() {  # the stack at generation $1, with the volume's marker
  sl down >/dev/null 2>&1 || true
  write_stack "$1"
  sl up -d || fail "up -d of generation $1 failed"
  docker exec "$project-db-1" /bin/busybox sh -c 'test -f /data/marker || echo kept > /data/marker'
}

failures=0
scenario() {  # name prepare(n) command... ; then the recovery and check
  local name=$1 prepare=$2 recover=$3 check=$4; shift 4
  $prepare
  through_relay "" "$@" || fail "$name: the run without a kill failed"
  local total; total=$(count_requests)
  local ok=0 n
  for n in $(seq 1 "$total"); do
    $prepare
    local rc=0
    through_relay "$n" "$@" || rc=$?
    [[ $rc == 137 ]] || { say "$name: kill at $n: slipway exited $rc, not 137 (killed)"; }
    if $recover && out=$($check); then
      ok=$((ok + 1))
    else
      say "$name: killed at request $n ($(grep '^!' "$work/relay.log" | head -1)): did not converge: $out"
      failures=$((failures + 1))
    fi
  done
  say "$name: converged in $ok of $total"
}

prepare_up() { sl down -v >/dev/null 2>&1 || true; write_stack 1; }
recover_up() { sl up -d && docker exec "$project-db-1" /bin/busybox sh -c 'test -f /data/marker || echo kept > /data/marker'; }
prepare_recreate() { fresh_stack 1; write_stack 2; }
recover_up_only() { sl up -d; }
prepare_down() { fresh_stack 1; }
recover_down() { sl down; }

say "project $project in $work"
write_stack 1
sl build || fail "building the busybox images failed"
[[ ${ONLY:-up} == up ]] && scenario "up from nothing" prepare_up recover_up converged up -d
[[ ${ONLY:-recreate} == recreate ]] && scenario "recreate" prepare_recreate recover_up_only converged up -d
[[ ${ONLY:-down} == down ]] && scenario "down" prepare_down recover_down nothing_left down
((failures == 0)) || fail "$failures interrupted runs did not converge"
say "PASSED"
