#!/bin/bash
# Healthy when the submission port greets and offers STARTTLS: that needs the master process,
# smtpd and its TLS configuration to work, which a mere "port open" would not show.
set -euo pipefail

exec 3<>/dev/tcp/127.0.0.1/587
read -r -t 5 banner <&3
[[ $banner == 220* ]] || exit 1

printf 'EHLO healthcheck\r\n' >&3
starttls=no
while read -r -t 5 line <&3; do
  line=${line%$'\r'}
  [[ $line == 250[-\ ]STARTTLS ]] && starttls=yes
  [[ $line == "250 "* ]] && break
done
printf 'QUIT\r\n' >&3
[[ $starttls == yes ]]
