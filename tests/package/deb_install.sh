#!/usr/bin/env bash
# The Debian package end to end: scripts/package builds slipway_<version>_<arch>.deb (lintian
# without errors), mmdebstrap installs it into a clean Debian bookworm root with apt (so its
# Depends resolve from the archive: docker.io, restic, mmdebstrap and the shared libraries), and
# `slipway --version` runs from PATH there; the man page and bash completion are in place.
# Needs root (mmdebstrap's root mode, chroot). ~2-4 min, mostly downloading the dependencies.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${SLIPWAY_BUILD_DIR:?set SLIPWAY_BUILD_DIR to the build tree}
mirror=${SLIPWAY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d /var/tmp/slipway-deb-test.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT

deb=$("$src/scripts/package" "$build" "$work")
echo "built $deb"
dpkg-deb --field "$deb" Depends | tee "$work/depends"
for dep in 'docker.io | docker-ce' restic mmdebstrap libcurl4 libarchive13 libsqlite3-0 libyaml-0-2; do
  grep -qF "$dep" "$work/depends" || { echo "FAIL: Depends lacks $dep" >&2; exit 1; }
done

# apt installs the local .deb and what it depends on; nothing else is in the root. (dpkg runs
# chrooted, so the .deb is copied in first; mmdebstrap keeps daemons from starting meanwhile.)
mmdebstrap --quiet --mode=root --variant=apt \
  --customize-hook="copy-in $deb /tmp" \
  --customize-hook='chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/'"$(basename "$deb")" \
  bookworm "$work/root" "$mirror" </dev/null

version=$(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  chroot "$work/root" sh -c 'command -v slipway && slipway --version')
echo "$version"
[[ $version == $'/usr/bin/slipway\nslipway '* ]] || { echo "FAIL: slipway --version from PATH: $version" >&2; exit 1; }
test -s "$work/root/usr/share/man/man1/slipway.1.gz" || { echo "FAIL: no man page" >&2; exit 1; }
zcat "$work/root/usr/share/man/man1/slipway.1.gz" | grep -q '^\.SH EXAMPLES' || { echo "FAIL: man page without EXAMPLES" >&2; exit 1; }
test -s "$work/root/usr/share/bash-completion/completions/slipway" || { echo "FAIL: no bash completion" >&2; exit 1; }
# The lean agent program `slipway agent` becomes, with every library it needs installed.
test -x "$work/root/usr/libexec/slipway/slipway-agent" || { echo "FAIL: no /usr/libexec/slipway/slipway-agent" >&2; exit 1; }
missing=$(chroot "$work/root" ldd /usr/libexec/slipway/slipway-agent | grep 'not found' || true)
[[ -z $missing ]] || { echo "FAIL: slipway-agent misses libraries: $missing" >&2; exit 1; }
for tool in dockerd restic mmdebstrap; do
  chroot "$work/root" sh -c "command -v $tool" >/dev/null || { echo "FAIL: $tool not installed by Depends" >&2; exit 1; }
done
echo "PASS: slipway installs on a clean bookworm root"
