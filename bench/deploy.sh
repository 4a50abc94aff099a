#!/usr/bin/env bash
# A deploy under constant load, in one run: the same change (a busybox httpd web service, image
# v1 -> v2) deployed by `slipway deploy` (new generation beside the old one, edge switch) and by
# Debian's `docker-compose up -d` (recreate in place on the published port), each with the same
# constant load (hey) running through the deploy. Prints, for both: failed requests, p50/p99
# latency during the deploy, the steady p99 before it, and the deploy's wall time; then ratios.
#
#   bench/deploy.sh [LOAD_S] [WORKERS] [QPS_EACH]          defaults 20 4 25
#   BUILD_DIR=dir (default build)   COMPOSE=docker-compose   KEEP=1 keeps the work directory
#
# Needs debian:bookworm (made by `slipway base` if missing; the edge image is built from it on
# first use), busybox-static, hey, docker-compose. Everything the run creates is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
load_s=${1:-20}
workers=${2:-4}
qps=${3:-25}
compose=${COMPOSE:-docker-compose}
unset COMPOSE_FILE COMPOSE_PROJECT_NAME COMPOSE_PROFILES

die() { echo "bench: $*" >&2; exit 1; }
for tool in docker hey "$compose" awk python3; do command -v "$tool" >/dev/null || die "$tool not found"; done
[[ -x /bin/busybox ]] || die "/bin/busybox not found (apt-get install busybox-static)"
build=${BUILD_DIR:-build}
ninja -C "$build" slipway >/dev/null
slipway=$root/$build/slipway
docker image inspect debian:bookworm >/dev/null 2>&1 || "$slipway" base debian:bookworm

p=swbdeploy$$
pc=swbdeploydc$$
work=$(mktemp -d /tmp/slipway-bench-deploy-XXXXXX)
export SLIPWAY_STATE_DIR=$work/state SLIPWAY_RUNTIME_DIR=$work/run
cleanup() {
  (cd "$work/slipway" && "$slipway" down -v) >/dev/null 2>&1 || true
  (cd "$work/compose" && "$compose" -p "$pc" down -v) >/dev/null 2>&1 || true
  docker rmi -f "$p-web:v1" "$p-web:v2" >/dev/null 2>&1 || true
  docker images -q --filter "reference=$p-web-slipway" | xargs -r docker rmi -f >/dev/null 2>&1 || true
  [[ -n ${KEEP:-} ]] && echo "bench: kept $work" || rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Two images that differ only in their page.
for v in v1 v2; do
  d=$work/img-$v
  mkdir -p "$d/bin" "$d/www"
  cp /bin/busybox "$d/bin/busybox"
  echo "$v" >"$d/www/index.html"
  printf 'FROM scratch\nCOPY bin /bin\nCOPY www /www\nCMD ["/bin/busybox","httpd","-f","-p","8000","-h","/www"]\n' >"$d/Dockerfile"
  docker build -q -t "$p-web:$v" "$d" >/dev/null
done

edge_port=$(free_port)
https_port=$(free_port)
dc_port=$(free_port)
mkdir -p "$work/slipway" "$work/compose" "$work/state" "$work/run"
healthcheck='    healthcheck:
      test: ["CMD", "/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8000/"]
      interval: 1s
      timeout: 2s
      retries: 2'
slipway_compose() {
  cat >"$work/slipway/compose.yaml" <<YAML
name: $p
services:
  web:
    image: $p-web:$1
$healthcheck
x-slipway:
  edge: {http: $edge_port, https: $https_port}
  routes: {"http://bench.test": "web:8000"}
  deploy: {watch: 0}
YAML
}
compose_file() {
  cat >"$work/compose/docker-compose.yml" <<YAML
version: "3.7"
services:
  web:
    image: $p-web:$1
    ports: ["127.0.0.1:$dc_port:8000"]
$healthcheck
YAML
}

# hey with a fixed rate; prints "ok failed p50 p99" (seconds).
run_hey() {  # $1 url, $2 seconds, $3 output file
  hey -z "${2}s" -c "$workers" -q "$qps" -host bench.test "$1" >"$3" 2>&1 || true
}
summary() {  # $1 hey output -> "ok failed p50_ms p99_ms" (failed: other statuses and errors)
  awk '/^Status code distribution/ {sec="status"} /^Error distribution/ {sec="error"}
       sec == "status" && /^[ \t]*\[[0-9]+\]/ {all += $2; if ($1 == "[200]") ok = $2}
       sec == "error" && /^[ \t]*\[[0-9]+\]/ {n = $1; gsub(/[^0-9]/, "", n); all += n}
       /50% in/ {p50 = $3} /99% in/ {p99 = $3}
       END {printf "%d %d %.1f %.1f\n", ok, all - ok, p50 * 1000, p99 * 1000}' "$1"
}
now() { date +%s.%N; }

echo "bench: slipway deploy (edge on :$edge_port)"
slipway_compose v1
(cd "$work/slipway" && "$slipway" deploy --no-checks) >"$work/slipway.log" 2>&1 || die "first deploy failed: $(cat "$work/slipway.log")"
run_hey "http://127.0.0.1:$edge_port/" 5 "$work/s.steady"
slipway_compose v2
run_hey "http://127.0.0.1:$edge_port/" "$load_s" "$work/s.load" &
hey_pid=$!
sleep 3
t0=$(now)
(cd "$work/slipway" && "$slipway" deploy --no-checks) >>"$work/slipway.log" 2>&1 || die "deploy failed: $(cat "$work/slipway.log")"
s_wall=$(echo "$(now) - $t0" | bc)
wait $hey_pid

echo "bench: docker-compose up -d (published :$dc_port)"
compose_file v1
(cd "$work/compose" && "$compose" -p "$pc" up -d) >"$work/compose.log" 2>&1
sleep 3
run_hey "http://127.0.0.1:$dc_port/" 5 "$work/c.steady"
compose_file v2
run_hey "http://127.0.0.1:$dc_port/" "$load_s" "$work/c.load" &
hey_pid=$!
sleep 3
t0=$(now)
(cd "$work/compose" && "$compose" -p "$pc" up -d) >>"$work/compose.log" 2>&1
c_wall=$(echo "$(now) - $t0" | bc)
wait $hey_pid

read -r s_ok s_failed s_p50 s_p99 < <(summary "$work/s.load")
read -r _ _ _ s_steady99 < <(summary "$work/s.steady")
read -r c_ok c_failed c_p50 c_p99 < <(summary "$work/c.load")
read -r _ _ _ c_steady99 < <(summary "$work/c.steady")
printf '\n%-22s %8s %8s %9s %9s %12s %9s\n' "" ok failed p50_ms p99_ms steady_p99 wall_s
printf '%-22s %8d %8d %9.1f %9.1f %12.1f %9.2f\n' "slipway deploy" "$s_ok" "$s_failed" "$s_p50" "$s_p99" "$s_steady99" "$s_wall"
printf '%-22s %8d %8d %9.1f %9.1f %12.1f %9.2f\n' "docker-compose up -d" "$c_ok" "$c_failed" "$c_p50" "$c_p99" "$c_steady99" "$c_wall"
echo
echo "failed requests: slipway $s_failed vs docker-compose $c_failed (load: $workers clients x $qps req/s for ${load_s}s)"
awk -v a="$s_p99" -v b="$s_steady99" 'BEGIN {if (b > 0) printf "slipway p99 during deploy / its steady p99: %.2f\n", a / b}'
awk -v a="$s_wall" -v b="$c_wall" 'BEGIN {if (b > 0) printf "wall time slipway / docker-compose: %.2f\n", a / b}'
