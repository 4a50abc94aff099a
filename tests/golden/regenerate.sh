#!/bin/sh
# Regenerates the golden outputs of src/compose/corpus_test.cc from compose-oracle, which prints
# what Docker Compose v2's loader (compose-go v2.16.2) makes of a project (`docker compose
# config`). compose-oracle exists only on a development machine; the tests never call it.
#
#   tests/golden/regenerate.sh            # all projects in tests/golden/projects.txt
#
# Each line of projects.txt is "<name> <compose file>": a path relative to the shared corpus, or
# "inputs/..." for the inputs kept here (features and quoting cases the corpus lacks). Outputs:
# <name>.yaml (config --format yaml) and <name>.json (--format json), with the corpus directory
# replaced by @CORPUS@ and this directory by @GOLDEN@, so they do not depend on the checkout's place.
# The oracle runs with a fixed, minimal environment (the test gives compose::load the same).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
corpus=$(cd "$here/../../../shared/corpus" && pwd)
while read -r name file; do
  case "$name" in ''|'#'*) continue ;; esac
  case "$file" in inputs/*) path="$here/$file" ;; *) path="$corpus/$file" ;; esac
  for fmt in yaml json; do
    env -i PATH="$PATH" HOME=/nonexistent-home compose-oracle -f "$path" --format "$fmt" 2>/dev/null \
      | sed -e "s|$corpus|@CORPUS@|g" -e "s|$here|@GOLDEN@|g" > "$here/$name.$fmt"
  done
done < "$here/projects.txt"
