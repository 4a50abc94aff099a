#!/usr/bin/env bash
# `slipway test` benchmark (issue 4): the whole test cycle of the example stack (throwaway copy:
# create, start, wait healthy, run tests/*.yaml, remove) beside the raw engine time to create,
# start and remove the same three containers with the docker CLI (network, two volumes, the
# secrets copied in, db and smtp started and healthy, then web started and healthy, everything
# removed). Prints both medians and the ratio slipway/raw (target <= 1.3x).
#
# usage: bench/test.sh [REPS]        (default 3; SLIPWAY=path, default build/slipway)
# Needs the guestbook images (guestbook-web, -db, -smtp: `slipway -f examples/guestbook/compose.yaml build`).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
slipway=$(realpath "${SLIPWAY:-build/slipway}")
[[ -x $slipway ]] || { echo "bench: $slipway not found (build it, or set SLIPWAY)" >&2; exit 1; }
for s in web db smtp; do
  docker image inspect "guestbook-$s" >/dev/null 2>&1 ||
    { echo "bench: image guestbook-$s missing (run: $slipway -f examples/guestbook/compose.yaml build)" >&2; exit 1; }
done

run=stbench$$
label=io.slipway.bench=$run
work=$(mktemp -d /tmp/slipway-bench-test-XXXXXX)
cleanup() {
  docker ps -aq --filter "label=$label" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker volume ls -q --filter "label=$label" | xargs -r docker volume rm -f >/dev/null 2>&1 || true
  docker network ls -q --filter "label=$label" | xargs -r docker network rm >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The secrets as slipway puts them in (compose.yaml's long form): mode 0400 under /run/secrets,
# root's in db and smtp, uid/gid 5000's in web (a tar stream on stdin keeps the owner, as
# slipway's PUT /archive does; `docker cp -a` would look the container's user up and fail).
mkdir -p "$work/db-secrets" "$work/smtp-secrets" "$work/web-secrets"
cp examples/guestbook/secrets/db_password.txt "$work/db-secrets/db_password"
cp examples/guestbook/secrets/smtp_password.txt "$work/smtp-secrets/smtp_password"
cp examples/guestbook/secrets/db_password.txt "$work/web-secrets/db_password"
cp examples/guestbook/secrets/smtp_password.txt "$work/web-secrets/smtp_password"
chmod 0400 "$work"/*-secrets/*

now() { date +%s.%N; }

wait_healthy() {  # container...
  local c status
  for c in "$@"; do
    while :; do
      status=$(docker inspect -f '{{.State.Health.Status}}' "$c")
      [[ $status == healthy ]] && break
      [[ $status == unhealthy ]] && { echo "bench: $c is unhealthy" >&2; return 1; }
      sleep 0.25
    done
  done
}

raw_cycle() {
  local p=$run-raw-$1 net
  net=$p-default
  docker network create --label "$label" "$net" >/dev/null
  docker volume create --label "$label" "$p-db-data" >/dev/null
  docker volume create --label "$label" "$p-mail" >/dev/null
  docker create --label "$label" --name "$p-db" --network "$net" --network-alias db \
    -e DB_NAME=guestbook -e DB_USER=guestbook -e DB_PASSWORD_FILE=/run/secrets/db_password \
    -v "$p-db-data:/var/lib/postgresql/data" \
    --health-cmd 'pg_isready --host=127.0.0.1 --username=guestbook --dbname=guestbook' \
    --health-interval 5s --health-timeout 5s --health-retries 5 --health-start-period 60s \
    guestbook-db >/dev/null
  docker cp "$work/db-secrets/." "$p-db:/run/secrets"
  docker create --label "$label" --name "$p-smtp" --network "$net" --network-alias smtp \
    -e MAIL_DOMAIN=guestbook.test -e MAILBOXES=owner -e SMTP_USER=guestbook \
    -e SMTP_PASSWORD_FILE=/run/secrets/smtp_password -v "$p-mail:/var/mail/vhosts" \
    --health-cmd smtp-healthcheck \
    --health-interval 5s --health-timeout 10s --health-retries 3 --health-start-period 30s \
    guestbook-smtp >/dev/null
  docker cp "$work/smtp-secrets/." "$p-smtp:/run/secrets"
  docker start "$p-db" "$p-smtp" >/dev/null
  wait_healthy "$p-db" "$p-smtp"
  docker create --label "$label" --name "$p-web" --network "$net" --network-alias web \
    -e DB_HOST=db -e DB_NAME=guestbook -e DB_USER=guestbook -e DB_PASSWORD_FILE=/run/secrets/db_password \
    -e SMTP_HOST=smtp -e SMTP_PORT=587 -e SMTP_USER=guestbook -e SMTP_PASSWORD_FILE=/run/secrets/smtp_password \
    -e MAIL_FROM=guestbook@guestbook.test -e MAIL_TO=owner@guestbook.test \
    -e MAILDIR=/srv/mail/guestbook.test/owner -v "$p-mail:/srv/mail:ro" \
    --health-cmd "python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=3)\"" \
    --health-interval 5s --health-timeout 5s --health-retries 3 --health-start-period 30s \
    guestbook-web >/dev/null
  tar -C "$work/web-secrets" --owner=5000 --group=5000 --transform 's,^\.,secrets,' -cf - . |
    docker cp - "$p-web:/run"
  docker start "$p-web" >/dev/null
  wait_healthy "$p-web"
  docker rm -f "$p-web" "$p-db" "$p-smtp" >/dev/null
  docker volume rm "$p-db-data" "$p-mail" >/dev/null
  docker network rm "$net" >/dev/null
}

slipway_cycle() {
  "$slipway" -f examples/guestbook/compose.yaml test >"$work/test.out" 2>&1 ||
    { cat "$work/test.out" >&2; echo "bench: slipway test failed" >&2; return 1; }
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

slip_times=() raw_times=()
for ((i = 1; i <= reps; i++)); do
  # Alternate which goes first, so neither always runs on a warmer cache.
  for tool in $( ((i % 2)) && echo "slipway raw" || echo "raw slipway"); do
    t0=$(now)
    if [[ $tool == slipway ]]; then slipway_cycle; else raw_cycle "$i"; fi
    t=$(echo "$(now) - $t0" | bc)
    printf 'run %d %-8s %6.2f s\n' "$i" "$tool" "$t"
    if [[ $tool == slipway ]]; then slip_times+=("$t"); else raw_times+=("$t"); fi
  done
done
checks=$(grep -E '^Count:' "$work/test.out" || true)
s=$(printf '%s\n' "${slip_times[@]}" | median)
r=$(printf '%s\n' "${raw_times[@]}" | median)
ratio=$(echo "scale=2; $s / $r" | bc)
verdict=$(echo "$ratio <= 1.3" | bc)
printf '\nslipway test (whole cycle, %s): median %.2f s\n' "${checks:-checks}" "$s"
printf 'raw docker create/start/healthy/remove:        median %.2f s\n' "$r"
printf 'ratio slipway/raw: %sx (target <= 1.3x: %s)\n' "$ratio" "$( ((verdict)) && echo PASS || echo FAIL)"
