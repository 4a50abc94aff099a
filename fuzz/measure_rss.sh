#!/bin/bash
# Peak memory of `slipway config` per project directory (from fuzz/adversarial.py):
#   fuzz/measure_rss.sh build/slipway DIR...   prints name, exit code, max RSS, seconds, first error line
bin=$1; shift
for d in "$@"; do
  n=$(basename $d)
  /usr/bin/time -f "%M %e" -o /tmp/time.out timeout 120 $bin --project-directory $d -f $d/compose.yaml config >/dev/null 2>/tmp/err.out
  rc=$?
  read kb secs < <(tail -1 /tmp/time.out)
  printf "%-24s rc=%-3s %6d MiB %6ss  %s\n" $n $rc $((kb/1024)) $secs "$(head -1 /tmp/err.out | cut -c1-120)"
done
