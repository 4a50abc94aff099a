#!/bin/sh
# Counts reads of the raw Compose JSON (the project model) outside src/compose and outside tests:
# subscripts/contains/value/find/at/items on a variable named model/model_/.model, and subscripts
# or lookups of the top-level sections by name. Prints the hits, then "total N", then the files
# that repeat the `contains("services") && ...is_object()` check.
# Usage: scripts/measure-model-reads.sh [-q]
cd "$(dirname "$0")/.." || exit 1
P='(\bmodel_?|\.model)(\[|\.contains\(|\.value\(|\.find\(|\.at\(|\.items\(\))|\[("services"|"volumes"|"networks"|"secrets"|"configs")\]|\.(contains|value|at|find)\("(services|volumes|networks|secrets|configs)"'
hits=$(grep -rnE "$P" src --include='*.cc' | grep -vE '^src/compose/|_test\.cc:|_enginetest\.cc:')
[ "$1" = -q ] || printf '%s\n' "$hits"
echo "total $(printf '%s\n' "$hits" | grep -c .)"
echo "files with contains(\"services\") checks: $(grep -rlE 'contains\("services"\)' src --include='*.cc' | grep -vE '^src/compose/|_test\.cc|_enginetest\.cc' | tr '\n' ' ')"
echo "count $(grep -rlE 'contains\("services"\)' src --include='*.cc' | grep -vE '^src/compose/|_test\.cc|_enginetest\.cc' | wc -l) files, $(grep -rhE 'contains\("services"\)' src --include='*.cc' --exclude='*_test.cc' --exclude='*_enginetest.cc' --exclude-dir=compose | wc -l) lines"
