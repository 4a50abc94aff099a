#!/usr/bin/env bash
# The edge proxy (Caddy from Debian, run and switched by slipway's edge layer) in one run:
#   through the edge vs direct: requests/s and latency p50/p99 with the same load (hey), once
#       straight at a backend's address and once through the edge, for two backends: busybox
#       httpd (a process per request, closes every connection) and Caddy's `respond` (keep-alive);
#   swaps: failed requests while the route switches between two backends N times under load
#       (slipway's edge), beside Debian's docker-compose 1.29 recreating the backend on its
#       published port the same number of times (what a stack without an edge does to deploy).
# Prints medians, the ratios edge/direct and the failed requests of both kinds of swap.
#
#   bench/edge.sh [DURATION_S] [CONCURRENCY] [SWAPS] [REPS]     defaults 10 16 6 3
#   BUILD_DIR=dir (default build)   COMPOSE=docker-compose   KEEP=1 keeps the work directory
#   SWAP_WORKERS=4 SWAP_QPS=10      the load during swaps: 4 clients at 10 requests/s each
#
# Needs debian:bookworm (made by `slipway base` if missing), busybox-static, hey, docker-compose.
# The edge image is built on first use (a few minutes) and kept. Everything else the run creates
# (containers, network, volume, the backend image) is removed on exit, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${1:-10}
concurrency=${2:-16}
swaps=${3:-6}
reps=${4:-3}
interval_ms=2000
# The swap phases offer a fixed rate below what the backend serves here (workers x QPS each), so
# the failed share is the share of time without service rather than how fast refusals come back.
swap_workers=${SWAP_WORKERS:-4}
swap_qps=${SWAP_QPS:-10}
compose=${COMPOSE:-docker-compose}
unset COMPOSE_FILE COMPOSE_PROJECT_NAME COMPOSE_PROFILES

die() { echo "bench: $*" >&2; exit 1; }
for tool in docker hey "$compose" bc awk; do
  command -v "$tool" >/dev/null || die "$tool not found (run scripts/setup)"
done
[[ -x /bin/busybox ]] || die "/bin/busybox not found (apt-get install busybox-static)"
docker info >/dev/null 2>&1 || die "no Docker engine answers (is dockerd running? DOCKER_HOST?)"

build=${BUILD_DIR:-build}
echo "bench: building slipway and edge_bench_driver in $build"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" slipway edge_bench_driver >/dev/null
driver=$root/$build/edge_bench_driver
if ! docker image inspect debian:bookworm >/dev/null 2>&1; then
  echo "bench: making the base image debian:bookworm (slipway base)"
  "$root/$build/slipway" base debian:bookworm
fi

# --- the run's names, files and cleanup -------------------------------------------------------
p=swbedge$$           # the stack behind the edge
pc=swbedgedc$$        # docker-compose's project for the recreate swaps
net=${p}_default
backend=$p-backend:latest
work=$(mktemp -d /tmp/slipway-bench-edge-XXXXXX)

remove_project_objects() {  # $1 = project
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
  jobs -p | xargs -r kill 2>/dev/null
  "$driver" remove "$p" "$work/admin" >/dev/null 2>&1
  [[ -f $work/compose.yaml ]] && "$compose" -f "$work/compose.yaml" -p "$pc" down -v >/dev/null 2>&1
  remove_project_objects "$p"
  remove_project_objects "$pc"
  docker image rm "$backend" >/dev/null 2>&1
  if [[ -n ${KEEP:-} ]]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- two backends: FROM scratch busybox httpd, pages "A" and "B" -------------------------------
mkdir -p "$work/backend/bin" "$work/backend/www/a" "$work/backend/www/b"
cp /bin/busybox "$work/backend/bin/busybox"
echo A >"$work/backend/www/a/index.html"
echo B >"$work/backend/www/b/index.html"
printf 'FROM scratch\nCOPY bin /bin\nCOPY www /www\n' >"$work/backend/Dockerfile"
docker build -q -t "$backend" --label "com.docker.compose.project=$p" "$work/backend" >/dev/null 2>&1 ||
  die "building the backend image failed"
docker network create --label "com.docker.compose.project=$p" "$net" >/dev/null
for page in a b; do
  docker run -d --name "$p-$page" --network "$net" --label "com.docker.compose.project=$p" \
    "$backend" /bin/busybox httpd -f -p 8000 -h "/www/$page" >/dev/null
done

echo "bench: starting the edge (builds slipway-edge on first use)"
"$driver" start "$p" "$net" 8080 "$work/admin" "bench.test=$p-a:8000" "keepalive.test=$p-ka:8000" >"$work/edge.env"
socket=$(sed -n 's/^socket=//p' "$work/edge.env")
route=$(sed -n 's/^route\.bench\.test=//p' "$work/edge.env")
edge_container=$(sed -n 's/^container=//p' "$work/edge.env")
edge_image=$(sed -n 's/^image=//p' "$work/edge.env")
# A backend that keeps connections open: Caddy's own `respond`, from the edge image.
docker run -d --name "$p-ka" --network "$net" --label "com.docker.compose.project=$p" --entrypoint caddy \
  "$edge_image" respond --listen :8000 A >/dev/null
ip_of() { docker inspect -f "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" "$1"; }
edge_url=http://$(ip_of "$edge_container"):8080/
caddy_version=$(docker run --rm --entrypoint caddy "$edge_image" version 2>/dev/null | cut -d' ' -f1)
for _ in $(seq 1 50); do curl -sf "http://$(ip_of "$p-ka"):8000/" >/dev/null && break; sleep 0.2; done
[[ $(curl -s -H 'Host: bench.test' "$edge_url") == A ]] || die "the edge does not serve backend A at $edge_url"
[[ $(curl -s -H 'Host: keepalive.test' "$edge_url") == A ]] || die "the edge does not serve the keep-alive backend"

# --- load -----------------------------------------------------------------------------------------
# hey's summary -> "RPS P50_MS P99_MS OK FAILED SLOWEST_MS"
summarize() {
  awk '
    /Requests\/sec:/ { rps = $2 }
    /Slowest:/ { slowest = $2 * 1000 }
    / 50% in / { p50 = $3 * 1000 }
    / 99% in / { p99 = $3 * 1000 }
    /^Status code distribution:/ { section = "status"; next }
    /^Error distribution:/ { section = "errors"; next }
    section == "status" && /\[[0-9]+\]/ { code = $1; gsub(/[\[\]]/, "", code); if (code == 200) ok += $2; else failed += $2 }
    section == "errors" && /\[[0-9]+\]/ { n = $1; gsub(/[\[\]]/, "", n); failed += n }
    END { printf "%.1f %.2f %.2f %d %d %.0f\n", rps, p50, p99, ok, failed, slowest }' "$1"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
ratio() { echo "scale=2; $1 / $2" | bc -l | sed 's/^\./0./'; }
col() { awk -v c="$1" '{print $c}' "$2" | median; }

# One backend: REPS x (direct, through the edge), alternating the order so that a trend in the
# machine's load favours neither side; prints three table rows.
measure() {  # $1 = label, $2 = backend container, $3 = the edge's Host for it
  local label=$1 direct_url host=$3 rep side order failed d e
  direct_url=http://$(ip_of "$2"):8000/
  hey -n 200 -c 4 "$direct_url" >/dev/null 2>&1
  hey -n 200 -c 4 -host "$host" "$edge_url" >/dev/null 2>&1
  : >"$work/$2-direct.all"
  : >"$work/$2-edge.all"
  for rep in $(seq 1 "$reps"); do
    if ((rep % 2)); then order=(direct edge); else order=(edge direct); fi
    for side in "${order[@]}"; do
      echo "bench: $label, rep $rep/$reps: $side, ${duration}s at concurrency $concurrency" >&2
      if [[ $side == direct ]]; then
        hey -z "${duration}s" -c "$concurrency" "$direct_url" >"$work/$2-direct-$rep.txt" 2>&1
      else
        hey -z "${duration}s" -c "$concurrency" -host "$host" "$edge_url" >"$work/$2-edge-$rep.txt" 2>&1
      fi
      summarize "$work/$2-$side-$rep.txt" >>"$work/$2-$side.all"
    done
  done
  for side in direct edge; do
    failed=$(awk '{s += $5} END {print s + 0}' "$work/$2-$side.all")
    ((failed == 0)) || die "$label, $side: $failed failed requests (see $work/$2-$side-*.txt; KEEP=1)"
  done
  d=$(col 1 "$work/$2-direct.all") e=$(col 1 "$work/$2-edge.all")
  echo "| $label | requests/s | $d | $e | $(ratio "$e" "$d")x |"
  d=$(col 2 "$work/$2-direct.all") e=$(col 2 "$work/$2-edge.all")
  echo "| | latency p50 | $d ms | $e ms | $(ratio "$e" "$d")x |"
  d=$(col 3 "$work/$2-direct.all") e=$(col 3 "$work/$2-edge.all")
  echo "| | latency p99 | $d ms | $e ms | $(ratio "$e" "$d")x |"
}
measure "busybox httpd (a process per request, closes the connection)" "$p-a" bench.test >"$work/table-busybox"
measure "caddy respond (keep-alive)" "$p-ka" keepalive.test >"$work/table-keepalive"

# --- swaps under load -----------------------------------------------------------------------------
# The load runs from one second before the first swap until one second after the last, whatever
# the swaps take (hey prints its summary when interrupted).
start_load() {  # $1 = output file, rest: hey's target arguments; sets load_pid and load_t0
  hey -z 3600s -c "$swap_workers" -q "$swap_qps" "${@:2}" >"$1" 2>&1 &
  load_pid=$!
  load_t0=$(date +%s.%N)
  sleep 1
}
stop_load() {  # sets load_seconds: how long the load ran
  sleep 1
  kill -INT "$load_pid"
  wait "$load_pid" || true
  load_seconds=$(printf '%.0f' "$(echo "$(date +%s.%N) - $load_t0" | bc -l)")
}

echo "bench: $swaps switches of the edge's route under load"
start_load "$work/edge-swaps.txt" -host bench.test "$edge_url"
"$driver" swaps "$socket" "$route" "$swaps" "$interval_ms" "$p-a:8000" "$p-b:8000" >"$work/switches.txt"
stop_load
edge_swap_seconds=$load_seconds
read -r _ _ _ edge_swap_ok edge_swap_failed edge_swap_slowest < <(summarize "$work/edge-swaps.txt")
switch_ms=$(sed -n 's/^switch_ms_median=//p' "$work/switches.txt")
switch_max=$(sed -n 's/^switch_ms_max=//p' "$work/switches.txt")

echo "bench: $swaps recreations by docker-compose under load"
port=$((20000 + RANDOM % 20000))
cat >"$work/compose.yaml" <<EOF
services:
  web:
    image: $backend
    command: ["/bin/busybox", "httpd", "-f", "-p", "8000", "-h", "/www/\${PAGE:-a}"]
    ports: ["127.0.0.1:$port:8000"]
    stop_grace_period: 1s
EOF
PAGE=a "$compose" -f "$work/compose.yaml" -p "$pc" up -d >/dev/null 2>&1 || die "docker-compose up failed"
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.2; done
start_load "$work/compose-swaps.txt" "http://127.0.0.1:$port/"
pages=(b a)
for i in $(seq 1 "$swaps"); do
  sleep "$(echo "$interval_ms / 1000" | bc -l)"
  PAGE=${pages[$(((i - 1) % 2))]} "$compose" -f "$work/compose.yaml" -p "$pc" up -d --force-recreate \
    >/dev/null 2>&1 || die "docker-compose recreate failed"
done
sleep "$(echo "$interval_ms / 1000" | bc -l)"
stop_load
dc_swap_seconds=$load_seconds
read -r _ _ _ dc_swap_ok dc_swap_failed dc_swap_slowest < <(summarize "$work/compose-swaps.txt")

pct() { echo "scale=2; 100 * $1 / ($1 + $2)" | bc -l | sed 's/^\./0./'; }
cat <<EOF

edge: $edge_image (Caddy ${caddy_version:-?} from Debian); hey -c $concurrency, ${duration}s x $reps, medians
load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs

| backend | | direct | through the edge | edge/direct |
|---|---|---|---|---|
$(cat "$work/table-busybox" "$work/table-keepalive")

| $swaps swaps, ${interval_ms} ms apart, under $swap_workers x $swap_qps req/s | load ran | served (200) | failed | failed % | slowest request |
|---|---|---|---|---|---|
| slipway edge: switch_upstreams (median ${switch_ms} ms, max ${switch_max} ms per switch) | $edge_swap_seconds s | $edge_swap_ok | $edge_swap_failed | $(pct "$edge_swap_failed" "$edge_swap_ok") % | $edge_swap_slowest ms |
| docker-compose 1.29: up -d --force-recreate | $dc_swap_seconds s | $dc_swap_ok | $dc_swap_failed | $(pct "$dc_swap_failed" "$dc_swap_ok") % | $dc_swap_slowest ms |
EOF
((edge_swap_failed == 0)) || die "the edge failed $edge_swap_failed requests during its swaps (see $work/edge-swaps.txt; KEEP=1)"
