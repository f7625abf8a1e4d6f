#!/usr/bin/env bash
# The browser half of `npm test`: the Playwright specs (tests/e2e) and the NAT lab (tests/lab)
# side by side. They share nothing (the lab builds into dist-lab and runs its servers and
# browsers inside network namespaces of its own), and both spend most of their time waiting on
# the network, so together they take about as long as the longer one. The lab's output is held
# and printed after the specs', so the two logs do not interleave. Fails if either fails.
set -uo pipefail
cd "$(dirname "$0")/.."

# One build for both (each would otherwise build its own copy at the same time, on the same cores).
dist=${DIST_DIR:-dist}
echo "== building the app into $dist"
DIST_DIR=$dist npm run --silent build >/dev/null || exit 1
export E2E_PREBUILT=1

lab_log=$(mktemp)
DIST_DIR=$dist LAB_PREBUILT=1 npm run --silent test:lab >"$lab_log" 2>&1 &
lab=$!
# Ctrl-C stops both (the lab's own trap takes its namespaces down).
trap 'kill -TERM "$lab" 2>/dev/null; wait "$lab"; cat "$lab_log"; rm -f "$lab_log"; exit 130' INT TERM

npm run --silent test:e2e
e2e=$?
wait "$lab"
labrc=$?
trap - INT TERM

echo "== NAT lab output"
cat "$lab_log"
rm -f "$lab_log"
echo "== browser tests: e2e exit $e2e, NAT lab exit $labrc"
[ "$e2e" -eq 0 ] && [ "$labrc" -eq 0 ]
