#!/usr/bin/env bash
# `slipway up -d` against Debian's `docker-compose up -d` (1.29) on the example stack
# (examples/guestbook: web + PostgreSQL + Postfix, images already built), in the same run:
#   cold up:  from no containers (fresh volumes) until the command returns; target slipway <= 1.0x
#   no-op up: the stack already running and current;                       target slipway <= 0.2x
# Prints the median of several repetitions of each, the ratios slipway/compose and PASS/MISS.
#
#   bench/up.sh [COLD_REPS] [NOOP_REPS]        defaults 3 and 5
#   BUILD_DIR=dir   where to build slipway (default: build)
#   SLIPWAY=path    use this slipway binary instead of building one
#   COMPOSE=docker-compose   KEEP=1 keeps the work directory
#
# Both tools read the same Compose file: a copy of examples/guestbook/compose.yaml that differs
# only in the published host port (a free one, so a running demo on 8080 does not matter), read
# with --project-directory examples/guestbook so every relative path resolves as in the original.
# Each tool gets its own project name: both label containers com.docker.compose.project, so they
# must never manage the same project. Everything the run creates (containers, volumes, networks,
# per-run image tags) is removed on exit, also on failure or Ctrl-C; the images stay.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cold_reps=${1:-3}
noop_reps=${2:-5}
compose=${COMPOSE:-docker-compose}
stack_dir=$root/examples/guestbook
services=(db smtp web)
# Variables both tools honour would make them read something else than what we time.
unset COMPOSE_FILE COMPOSE_PROJECT_NAME COMPOSE_PROFILES COMPOSE_PATH_SEPARATOR

die() { echo "bench: $*" >&2; exit 1; }
command -v docker >/dev/null || die "docker CLI not found (apt-get install docker.io)"
command -v "$compose" >/dev/null || die "$compose not found (apt-get install docker-compose)"
command -v bc >/dev/null || die "bc not found (apt-get install bc)"
docker info >/dev/null 2>&1 || die "no Docker engine answers (is dockerd running? DOCKER_HOST?)"

# --- slipway, the base image and the stack's images -----------------------------------------
if [[ -n ${SLIPWAY:-} ]]; then
  slipway=$(realpath "$SLIPWAY")
else
  build=${BUILD_DIR:-build}
  echo "bench: building slipway in $build"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$build" -j "$(nproc)" slipway >/dev/null
  slipway=$root/$build/slipway
fi
[[ -x $slipway ]] || die "no slipway binary at $slipway"
if ! docker image inspect debian:bookworm >/dev/null 2>&1; then
  echo "bench: making the base image debian:bookworm (slipway base)"
  "$slipway" base debian:bookworm
fi
echo "bench: making sure the guestbook images exist (slipway build)"
"$slipway" -f "$stack_dir/compose.yaml" build >/dev/null

# --- the run's names, files and cleanup -------------------------------------------------------
sp=swbupsw$$    # slipway's project
cp=swbupdc$$    # docker-compose's project
work=$(mktemp -d /tmp/slipway-bench-up-XXXXXX)
tags=()

remove_project_objects() {  # $1 = project; whatever a tool left behind, found by its label
  local f=label=com.docker.compose.project=$1 ids
  ids=$(docker ps -aq --filter "$f")
  [[ -z $ids ]] || docker rm -f -v $ids >/dev/null 2>&1
  ids=$(docker network ls -q --filter "$f")
  [[ -z $ids ]] || docker network rm $ids >/dev/null 2>&1
  ids=$(docker volume ls -q --filter "$f")
  [[ -z $ids ]] || docker volume rm -f $ids >/dev/null 2>&1
  return 0
}
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  [[ -f $work/compose.yaml ]] && {
    "$slipway" "${sw[@]}" down -v >/dev/null 2>&1
    "$compose" "${dc[@]}" down -v >/dev/null 2>&1
  }
  remove_project_objects "$sp"
  remove_project_objects "$cp"
  # Only the per-run names: the images themselves stay tagged guestbook-<service>.
  ((${#tags[@]} == 0)) || docker image rm --no-prune "${tags[@]}" >/dev/null 2>&1
  if [[ -n ${KEEP:-} ]]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 20000))
    [[ -z $(ss -Hltn "sport = :$p" 2>/dev/null) ]] && { echo "$p"; return; }
  done
  die "found no free TCP port"
}
port=$(free_port)
sw=(-f "$work/compose.yaml" --project-directory "$stack_dir" -p "$sp")
dc=(-f "$work/compose.yaml" --project-directory "$stack_dir" -p "$cp")
sed "s/\"127\.0\.0\.1:8080:8000\"/\"127.0.0.1:$port:8000\"/" "$stack_dir/compose.yaml" >"$work/compose.yaml"
grep -q "127.0.0.1:$port:8000" "$work/compose.yaml" ||
  die "examples/guestbook/compose.yaml no longer publishes \"127.0.0.1:8080:8000\" (update bench/up.sh)"

# Both tools find the built images under their own names (slipway <project>-<service>,
# docker-compose 1.29 <project>_<service>), so neither builds anything while timed.
for s in "${services[@]}"; do
  docker tag "guestbook-$s" "$sp-$s"
  docker tag "guestbook-$s" "${cp}_$s"
  tags+=("$sp-$s" "${cp}_$s")
done

# --- timing -------------------------------------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# Appends "WALL CPU" (seconds; CPU = user+sys of the client process) for one run of "$@" to file $1.
timed() {
  local out=$1 log t0 t1
  shift
  log=$work/last.log
  t0=$(date +%s.%N)
  /usr/bin/time -o "$work/cpu" -f '%U %S' "$@" >"$log" 2>&1 || {
    cat "$log" >&2
    die "failed: $*"
  }
  t1=$(date +%s.%N)
  echo "$(echo "$t1 - $t0" | bc -l) $(awk '{print $1 + $2}' "$work/cpu")" >>"$out"
  cat "$log" >>"$work/all.log"
}
running() {  # $1 = project; every service has a running container (else the timing is wrong)
  local s state n
  for s in "${services[@]}"; do
    state=$(docker ps -a --filter "label=com.docker.compose.project=$1" \
      --filter "label=com.docker.compose.service=$s" --format '{{.State}}')
    n=$(grep -c '^running$' <<<"$state" || true)
    [[ $n == 1 ]] || die "after up, project $1 service $s is not running once: '${state//$'\n'/ }'"
  done
}
# The span the engine spent bringing the dependencies from started to healthy: from the first of
# db and smtp starting to the last one's first passing healthcheck (the engine's own timestamps).
# Both tools can only wait through it, and with a 5 s check interval it moves in 5 s steps with
# how fast PostgreSQL initialises, so "wall - this" is the part each tool is responsible for.
health_span() {  # $1 = project
  local s id line started healthy first=0 last=0 tok
  for s in db smtp; do
    id=$(docker ps -q --filter "label=com.docker.compose.project=$1" --filter "label=com.docker.compose.service=$s")
    line=$(docker inspect -f '{{json .State.StartedAt}}{{range .State.Health.Log}} {{.ExitCode}}@{{json .End}}{{end}}' "$id")
    started=$(date -d "$(cut -d' ' -f1 <<<"$line" | tr -d '"')" +%s.%N)
    healthy=
    for tok in $(cut -s -d' ' -f2- <<<"$line"); do
      [[ $tok == 0@* ]] && { healthy=$(date -d "$(tr -d '"' <<<"${tok#0@}")" +%s.%N); break; }
    done
    [[ -n $healthy ]] || die "project $1 service $s has no passing healthcheck in its log after up"
    [[ $first == 0 || $(echo "$started < $first" | bc) == 1 ]] && first=$started
    [[ $(echo "$healthy > $last" | bc) == 1 ]] && last=$healthy
  done
  echo "$last - $first" | bc -l
}
# Cold runs append "WALL CPU WALL-HEALTH_SPAN"; no-op runs "WALL CPU".
cold() {  # $1 = file, $2 = project, rest = command
  local f=$1 p=$2 span
  shift 2
  timed "$f" "$@"
  running "$p"
  span=$(health_span "$p")
  sed -i "\$ s/\$/ $(echo "$(tail -n1 "$f" | cut -d' ' -f1) - $span" | bc -l)/" "$f"
}
sw_up() { timed "$1" "$slipway" "${sw[@]}" up -d; running "$sp"; }
dc_up() { timed "$1" "$compose" "${dc[@]}" up -d; running "$cp"; }
sw_cold() { cold "$1" "$sp" "$slipway" "${sw[@]}" up -d; }
dc_cold() { cold "$1" "$cp" "$compose" "${dc[@]}" up -d; }
sw_down() { "$slipway" "${sw[@]}" down -v >>"$work/all.log" 2>&1 || die "slipway down -v failed"; }
dc_down() { "$compose" "${dc[@]}" down -v >>"$work/all.log" 2>&1 || die "docker-compose down -v failed"; }
col() { cut -d' ' -f"$1" "$2" | median; }

echo "bench: stack examples/guestbook (3 services, 2 volumes, port 127.0.0.1:$port), projects $sp (slipway) and $cp (docker-compose)"
echo "bench: $("$compose" version --short 2>/dev/null || echo "$compose"), slipway $("$slipway" --version 2>/dev/null | head -n1)"

# Cold: the order alternates so that neither tool always gets the colder page cache.
echo "bench: cold up, $cold_reps repetitions each (down -v between)"
for ((i = 0; i < cold_reps; i++)); do
  if ((i % 2 == 0)); then
    sw_cold "$work/cold-sw"; sw_down; dc_cold "$work/cold-dc"; dc_down
  else
    dc_cold "$work/cold-dc"; dc_down; sw_cold "$work/cold-sw"; sw_down
  fi
  printf '  rep %d: slipway %6.2f s (%5.2f s besides the health wait)   docker-compose %6.2f s (%5.2f s)\n' $((i + 1)) \
    $(tail -n1 "$work/cold-sw" | cut -d' ' -f1,3) $(tail -n1 "$work/cold-dc" | cut -d' ' -f1,3)
done

# No-op: one tool's stack at a time (both publish the same port). The first up is not timed.
echo "bench: no-op up, $noop_reps repetitions each (stack running and current)"
"$slipway" "${sw[@]}" up -d >>"$work/all.log" 2>&1 || die "slipway up -d failed (see above)"
for ((i = 0; i < noop_reps; i++)); do sw_up "$work/noop-sw"; done
grep -q "nothing to do" "$work/last.log" || {
  cat "$work/last.log" >&2
  die "the second slipway up was not a no-op (it printed the above)"
}
sw_down
"$compose" "${dc[@]}" up -d >>"$work/all.log" 2>&1 || die "docker-compose up -d failed"
for ((i = 0; i < noop_reps; i++)); do dc_up "$work/noop-dc"; done
dc_down

# --- report -------------------------------------------------------------------------------------
verdict() { [[ $(echo "$1 <= $2" | bc -l) == 1 ]] && echo PASS || echo MISS; }
report() {  # $1 = label, $2 = sw file, $3 = dc file, $4 = target
  local ws cs wd cd ratio
  ws=$(col 1 "$2"); cs=$(col 2 "$2"); wd=$(col 1 "$3"); cd=$(col 2 "$3")
  ratio=$(echo "$ws / $wd" | bc -l)
  printf '%-9s slipway %8.3f s (cpu %6.3f s)   docker-compose %8.3f s (cpu %6.3f s)   ratio %6.3fx   target <= %sx  %s\n' \
    "$1" "$ws" "$cs" "$wd" "$cd" "$ratio" "$4" "$(verdict "$ratio" "$4")"
}
echo
echo "medians (wall time until the command returns; cpu = the client's own user+sys):"
report "cold up" "$work/cold-sw" "$work/cold-dc" 1.0
report "no-op up" "$work/noop-sw" "$work/noop-dc" 0.2
ts=$(col 3 "$work/cold-sw"); td=$(col 3 "$work/cold-dc")
printf 'cold up besides the health wait (wall minus the engine'"'"'s started->healthy span of db and smtp):\n'
printf '          slipway %8.3f s                  docker-compose %8.3f s                  ratio %6.3fx\n' \
  "$ts" "$td" "$(echo "$ts / $td" | bc -l)"
echo "both return once db and smtp are healthy (web's depends_on: service_healthy) and web is started;"
echo "neither waits for web's own healthcheck."
