#!/usr/bin/env bash
# `slipway config` against Debian's `docker-compose config` (1.29) on a generated 500-service
# Compose file, in the same run. Prints the median of several repetitions for each and the
# ratio slipway/compose (target: <= 0.05).
#   bench/compose_config.sh [SERVICES] [REPETITIONS]     defaults 500 and 5
#   SLIPWAY=path/to/slipway  (default build/slipway)   COMPOSE=docker-compose
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-500}
reps=${2:-5}
slipway=${SLIPWAY:-$(pwd)/build/slipway}
compose=${COMPOSE:-docker-compose}

[ -x "$slipway" ] || { echo "no slipway binary at $slipway (build it or set SLIPWAY)" >&2; exit 1; }
command -v "$compose" >/dev/null || { echo "$compose not found (apt-get install docker-compose)" >&2; exit 1; }

dir=$(mktemp -d /tmp/slipway-bench-XXXXXX)
trap '[ -n "${KEEP:-}" ] && echo "kept $dir" >&2 || rm -rf "$dir"' EXIT

# --- the stack: varied services sharing anchors, as real files do ----------------------------
f="$dir/compose.yaml"
cat >"$f" <<'YAML'
x-logging: &logging
  driver: json-file
  options:
    max-size: "10m"
    max-file: "3"
x-common: &common
  restart: unless-stopped
  logging: *logging
  environment: &common-env
    TZ: UTC
    LOG_LEVEL: ${LOG_LEVEL:-info}
x-health: &health
  interval: 30s
  timeout: 5s
  retries: 3
  start_period: 10s
services:
YAML
for ((i = 0; i < services; i++)); do
  case $((i % 5)) in
    0)  # built app with ports, env, healthcheck and a dependency
      mkdir -p "$dir/app$i"
      printf 'FROM debian:bookworm\nCMD ["sleep", "infinity"]\n' >"$dir/app$i/Dockerfile"
      cat >>"$f" <<YAML
  app$i:
    <<: *common
    build:
      context: ./app$i
      args:
        VERSION: "1.$i"
    image: bench/app$i:\${TAG:-latest}
    ports:
      - "$((20000 + i)):8080"
      - "127.0.0.1:$((30000 + i)):9090/tcp"
    environment:
      <<: *common-env
      APP_ID: "$i"
      DATABASE_URL: postgres://app:secret@db$((i + 1)):5432/app$i
    depends_on:
      db$((i + 1)):
        condition: service_healthy
    healthcheck:
      <<: *health
      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]
    networks: [front, back]
YAML
      ;;
    1)  # database with a named volume
      cat >>"$f" <<YAML
  db$i:
    <<: *common
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: secret
      POSTGRES_DB: app$((i - 1))
    volumes:
      - db$i-data:/var/lib/postgresql/data
      - type: bind
        source: ./init
        target: /docker-entrypoint-initdb.d
        read_only: true
    healthcheck:
      <<: *health
      test: ["CMD-SHELL", "pg_isready -U postgres"]
    networks:
      back:
        aliases: [database$i]
YAML
      ;;
    2)  # cache with command and resource limits
      cat >>"$f" <<YAML
  cache$i:
    image: redis:7
    command: ["redis-server", "--save", "60", "1", "--maxmemory", "$((64 + i))mb"]
    restart: always
    expose: ["6379"]
    ulimits:
      nofile: {soft: 20000, hard: 40000}
    networks: [back]
YAML
      ;;
    3)  # proxy with labels, extra hosts and bind mounts
      cat >>"$f" <<YAML
  proxy$i:
    image: caddy:2
    ports: ["$((40000 + i)):80"]
    volumes:
      - ./Caddyfile:/etc/caddy/Caddyfile:ro
      - proxy$i-data:/data
    labels:
      com.example.role: proxy
      com.example.index: "$i"
    extra_hosts: ["host.docker.internal:host-gateway"]
    depends_on: [app$((i - 3))]
    networks: [front]
YAML
      ;;
    4)  # worker with an env_file and a shell command
      cat >>"$f" <<YAML
  worker$i:
    <<: *common
    image: bench/app$((i - 4)):\${TAG:-latest}
    command: sh -c 'exec worker --queue=q$i --concurrency=4'
    env_file: [worker.env]
    environment:
      WORKER: "$i"
    user: "1000:1000"
    working_dir: /srv
    stop_grace_period: 30s
    networks: [back]
YAML
      ;;
  esac
done
{
  echo "volumes:"
  for ((i = 0; i < services; i++)); do
    case $((i % 5)) in 1) echo "  db$i-data: {}" ;; 3) echo "  proxy$i-data:" ;; esac
  done
  echo "networks:"
  echo "  front: {}"
  echo "  back:"
  echo "    internal: true"
} >>"$f"
mkdir -p "$dir/init"
printf ':80 {\n  respond "ok"\n}\n' >"$dir/Caddyfile"
printf 'QUEUE_URL=redis://cache2:6379\nexport WORKERS=4\n' >"$dir/worker.env"
printf 'TAG=1.0\n' >"$dir/.env"

# --- timing ---------------------------------------------------------------------------------
# Wall time is what a user waits for; CPU time (user+sys, from GNU time) is also printed because
# it stays comparable on a busy machine, where wall time mostly measures the scheduler.
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
gnu_time=$(command -v /usr/bin/time || true)
# Prints "WALL CPU" medians for running "$@" $reps times.
time_runs() {
  local i start end cpu
  : >"$dir/runs"
  for ((i = 0; i < reps; i++)); do
    start=$(date +%s.%N)
    if [ -n "$gnu_time" ]; then
      "$gnu_time" -o "$dir/cpu" -f '%U %S' "$@" >/dev/null 2>"$dir/stderr" || { echo "failed: $*" >&2; cat "$dir/stderr" >&2; return 1; }
      cpu=$(awk '{print $1 + $2}' "$dir/cpu")
    else
      "$@" >/dev/null 2>"$dir/stderr" || { echo "failed: $*" >&2; cat "$dir/stderr" >&2; return 1; }
      cpu=0
    fi
    end=$(date +%s.%N)
    echo "$(echo "$end - $start" | bc -l) $cpu" >>"$dir/runs"
  done
  echo "$(cut -d' ' -f1 "$dir/runs" | median) $(cut -d' ' -f2 "$dir/runs" | median)"
}

echo "compose file: $services services, $(wc -l <"$f") lines, $(wc -c <"$f") bytes; $reps runs each (median)"
read -r w_slipway c_slipway < <(time_runs "$slipway" -f "$f" config)
read -r w_compose c_compose < <(time_runs "$compose" -f "$f" config)
printf '                        %10s %10s\n' wall cpu
printf 'slipway config:         %8.4f s %8.4f s\n' "$w_slipway" "$c_slipway"
printf 'docker-compose config:  %8.4f s %8.4f s\n' "$w_compose" "$c_compose"
printf 'ratio slipway/compose:  %10.4f' "$(echo "$w_slipway / $w_compose" | bc -l)"
if [ -n "$gnu_time" ] && [ "$(echo "$c_compose > 0" | bc)" = 1 ]; then
  printf ' %10.4f' "$(echo "$c_slipway / $c_compose" | bc -l)"
fi
printf '   (target <= 0.05)\n'
