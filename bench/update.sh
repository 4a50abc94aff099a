#!/usr/bin/env bash
# Update-check benchmark: `slipway update --check` on the example stack (examples/guestbook)
# against what a person would run by hand for each of its images:
#   docker run --rm --user 0 --entrypoint sh IMAGE -c 'apt-get update && apt list --upgradable'
# in one run, printed as a ratio (target: slipway <= 1.2x the manual loop, while it also reports
# security updates, the base image's age and the release's support dates, for every image at
# once). Needs the example's images built (`slipway build` in examples/guestbook, ~10 min of CPU
# the first time); it builds them when missing. Changes nothing running.
#
# usage: bench/update.sh [path/to/slipway] [rounds]     (default: build/slipway, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
slipway=$(realpath "${1:-build/slipway}")
rounds=${2:-3}
[[ -x $slipway ]] || { echo "bench: $slipway not found (build it, or pass its path)" >&2; exit 1; }
cd examples/guestbook

mapfile -t images < <("$slipway" config --images)
for img in "${images[@]}"; do
  docker image inspect "$img" >/dev/null 2>&1 || { echo "bench: building the example's images (slow the first time)"; "$slipway" build >/dev/null; break; }
done

now() { date +%s.%N; }
manual_total=0 slipway_total=0
for ((r = 1; r <= rounds; r++)); do
  t0=$(now)
  for img in "${images[@]}"; do
    docker run --rm --user 0 --entrypoint sh "$img" -c 'apt-get update -qq >/dev/null && apt list --upgradable 2>/dev/null' >/dev/null
  done
  t1=$(now)
  set +e
  "$slipway" update --check --json >/tmp/slipway-bench-update.json
  code=$?
  set -e
  t2=$(now)
  [[ $code == 0 || $code == 3 ]] || { echo "bench: slipway update --check failed (exit $code)" >&2; cat /tmp/slipway-bench-update.json >&2; exit 1; }
  m=$(echo "$t1 - $t0" | bc -l) s=$(echo "$t2 - $t1" | bc -l)
  printf 'round %d: manual loop %.2f s, slipway update --check %.2f s (exit %d)\n' "$r" "$m" "$s" "$code"
  manual_total=$(echo "$manual_total + $m" | bc -l)
  slipway_total=$(echo "$slipway_total + $s" | bc -l)
done
printf '%d image(s), %d round(s): manual %.2f s, slipway %.2f s, ratio slipway/manual %.2f (target <= 1.2)\n' \
  "${#images[@]}" "$rounds" "$(echo "$manual_total / $rounds" | bc -l)" "$(echo "$slipway_total / $rounds" | bc -l)" \
  "$(echo "$slipway_total / $manual_total" | bc -l)"
python3 - /tmp/slipway-bench-update.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for im in d["images"]:
    up = im["upgradable"]
    print(f'  {im["image"]}: {len(up)} update(s), {im["security_updates"]} security; '
          f'base {im["base_age_days"]} days old; {(im["release_support"] or {}).get("message", "")}')
PY
