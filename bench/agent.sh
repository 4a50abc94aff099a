#!/usr/bin/env bash
# The agent when idle, between jobs: resident memory (RSS, PSS and private pages) and CPU time
# over a quiet window, beside the long-running helpers a self-hoster runs instead, in the same
# run. Target: slipway <= 8 MiB RSS and ~0 % CPU.
#
#   bench/agent.sh [SECONDS]            quiet window, default 60
#   SLIPWAY=path     the slipway binary (default: build/slipway)
#   WATCHTOWER=path  a Watchtower binary (default: `watchtower` in PATH), measured when present
#
# Peers: Watchtower (the container-updating daemon, a static Go binary; not packaged by Debian
# and not served by the Go module proxy under its own name, so it is measured when given: build
# it with `go build` in a checkout of containrrr/watchtower, whose dependencies the proxy does
# serve; bench/README.md says which commit) and, always, busybox crond from Debian's
# busybox-static (the floor: a bare scheduler with one crontab line running `slipway backup`,
# no status page, no engine connection).
#
# `slipway agent` becomes the lean program slipway-agent (same pid) when it is built beside
# slipway; the script says which program it measured and its largest mappings.
#
# Everything runs with nothing to do in the window: slipway's agent for one stack (default
# schedules, the next job hours away) with its status page on 127.0.0.1 (a free port), which
# the script loads 20 times before the window so the server's buffers are counted; Watchtower
# with a daily schedule and no pulls; crond with a daily crontab.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
window=${1:-60}
slipway=${SLIPWAY:-$root/build/slipway}
watchtower=${WATCHTOWER:-$(command -v watchtower || true)}
[[ -x $slipway ]] || { echo "bench: $slipway not found (build it: ninja -C build slipway)" >&2; exit 1; }

work=$(mktemp -d /tmp/slipway-bench-agent-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/compose.yaml" <<YAML
name: benchagent$$
services:
  web:
    image: benchagent$$-web
    command: [/bin/busybox, sleep, '600']
x-slipway:
  schedule: {jitter: "0"}
YAML

# kB of VmRSS, of private memory (anonymous + private file pages) and PSS (shared pages divided
# among their users), and utime+stime ticks, of a pid. RSS counts every shared-library page the
# process touched, even those the page cache shares with every other process.
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm() { awk '/^(Private_Clean|Private_Dirty):/ {s += $2} END {print s}' "/proc/$1/smaps_rollup"; }
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# Measures pid $1 over the window: prints "RSS_KB PRIVATE_KB CPU_PERCENT PSS_KB".
measure() {
  local pid=$1 t0 t1
  t0=$(ticks "$pid")
  sleep "$window"
  t1=$(ticks "$pid")
  echo "$(rss "$pid") $(hwm "$pid") $(echo "scale=3; 100 * ($t1 - $t0) / $hz / $window" | bc) $(pss "$pid")"
}

port_file=$work/agent.log
SLIPWAY_STATE_DIR=$work/state "$slipway" -f "$work/compose.yaml" agent --listen 127.0.0.1:0 2>"$port_file" &
agent=$!
pids+=("$agent")
for _ in $(seq 1 50); do grep -q "status page at" "$port_file" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$port_file" | head -1)
[[ -n $url ]] || { echo "bench: the agent did not start:" >&2; cat "$port_file" >&2; exit 1; }
for _ in $(seq 1 20); do curl -fsS "$url/" >/dev/null; done
sleep 2
read -r s_rss s_hwm s_cpu s_pss < <(measure "$agent")
s_program=$(basename "$(readlink "/proc/$agent/exe")")
# Resident kB per mapped file (and [heap], [anon]), largest first: where the RSS is.
s_maps=$(awk '/^[0-9a-f]+-[0-9a-f]+ / {name = ($6 == "" ? "[anon]" : $6)} /^Rss:/ {rss[name] += $2}
              END {for (n in rss) if (rss[n] > 0) printf "%6d kB  %s\n", rss[n], n}' "/proc/$agent/smaps" | sort -rn | head -12)

mkdir -p "$work/crontabs"
echo "0 3 * * * $slipway -f $work/compose.yaml backup" >"$work/crontabs/root"
busybox crond -f -c "$work/crontabs" -L /dev/null &
crond=$!
pids+=("$crond")
sleep 1
read -r c_rss c_hwm c_cpu c_pss < <(measure "$crond")

w_rss="" w_cpu=""
if [[ -n $watchtower ]]; then
  "$watchtower" --schedule "0 0 3 * * *" --no-pull --no-startup-message >"$work/watchtower.log" 2>&1 &
  wt=$!
  pids+=("$wt")
  sleep 5
  kill -0 "$wt" 2>/dev/null || { echo "bench: watchtower exited:" >&2; cat "$work/watchtower.log" >&2; exit 1; }
  read -r w_rss w_hwm w_cpu w_pss < <(measure "$wt")
fi

mib() { echo "scale=1; $1 / 1024" | bc; }
printf '%-28s %9s %9s %9s %7s\n' "idle, ${window} s window" "RSS MiB" "PSS MiB" "private" "CPU %"
printf '%-28s %9s %9s %9s %7s\n' "slipway agent ($s_program)" "$(mib "$s_rss")" "$(mib "$s_pss")" "$(mib "$s_hwm")" "$s_cpu"
printf '%-28s %9s %9s %9s %7s\n' "busybox crond (floor)" "$(mib "$c_rss")" "$(mib "$c_pss")" "$(mib "$c_hwm")" "$c_cpu"
echo "ratio RSS slipway/crond: $(echo "scale=2; $s_rss / $c_rss" | bc)x"
if [[ -n $w_rss ]]; then
  printf '%-28s %9s %9s %9s %7s\n' "watchtower" "$(mib "$w_rss")" "$(mib "$w_pss")" "$(mib "$w_hwm")" "$w_cpu"
  echo "ratio RSS slipway/watchtower: $(echo "scale=2; $s_rss / $w_rss" | bc)x"
else
  echo "watchtower: not measured (set WATCHTOWER=path to a watchtower binary)"
fi
echo "slipway agent's largest mappings (RSS):"
echo "$s_maps"
verdict=PASS
(( s_rss <= 8192 )) || verdict=MISS
echo "target RSS <= 8 MiB: $verdict"
