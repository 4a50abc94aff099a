#!/usr/bin/env bash
# Backup benchmark: `slipway backup` of a 1 GiB data volume against plain `restic backup` of the
# same directory, full and incremental (1 % of the data changed), one run each, from the same
# machine and page cache. Prints both times and the ratio (target: slipway <= 1.1x restic).
#
# usage: bench/backup.sh [path/to/slipway]      (default: build/slipway)
# Needs: root on the engine's host (slipway reads volumes in place), restic, docker CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
slipway=$(realpath "${1:-build/slipway}")
[[ -x $slipway ]] || { echo "bench: $slipway not found (build it, or pass its path)" >&2; exit 1; }

work=$(mktemp -d /tmp/slipway-bench-backup-XXXXXX)
project="swbench$$"
volume="${project}_data"
cleanup() {
  docker volume rm -f "$volume" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/stack"
printf 'bench password\n' >"$work/password"
cat >"$work/stack/compose.yaml" <<YAML
name: $project
x-slipway:
  backup:
    repository: $work/repo-slipway
    password_file: $work/password
services:
  app:
    image: busybox
    volumes: [data:/data]
volumes:
  data: {}
YAML
docker volume create --label com.docker.compose.project="$project" --label com.docker.compose.volume=data \
  "$volume" >/dev/null
dir=$(docker volume inspect -f '{{.Mountpoint}}' "$volume")

echo "bench: writing 1 GiB of random data into volume $volume ($dir)"
for i in $(seq -w 1 256); do head -c 4M /dev/urandom >"$dir/file$i.bin"; done
sync

export RESTIC_PASSWORD_FILE=$work/password
restic -r "$work/repo-restic" init -q
restic -r "$work/repo-slipway" init -q  # slipway never creates a repository implicitly

now() { date +%s.%N; }
measure() { local t0; t0=$(now); "$@" >/dev/null; echo "$(now) - $t0" | bc; }

full_restic=$(measure restic -r "$work/repo-restic" backup -q "$dir")
full_slipway=$(measure "$slipway" -f "$work/stack/compose.yaml" backup --json)

echo "bench: changing 1 % of the data (10 MiB in 10 files)"
for i in $(seq -w 1 10); do head -c 1M /dev/urandom | dd of="$dir/file0$i.bin" bs=1M seek=1 conv=notrunc status=none; done
sync

incr_restic=$(measure restic -r "$work/repo-restic" backup -q "$dir")
incr_slipway=$(measure "$slipway" -f "$work/stack/compose.yaml" backup --json)

ratio() { echo "scale=2; $1 / $2" | bc; }
printf '%-12s %10s %10s %7s\n' "backup" "slipway" "restic" "ratio"
printf '%-12s %9.2fs %9.2fs %6sx\n' "full 1 GiB" "$full_slipway" "$full_restic" "$(ratio "$full_slipway" "$full_restic")"
printf '%-12s %9.2fs %9.2fs %6sx\n' "incremental" "$incr_slipway" "$incr_restic" "$(ratio "$incr_slipway" "$incr_restic")"
