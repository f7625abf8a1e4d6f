#!/usr/bin/env bash
# `npm run test:lab`: the NAT lab (tests/lab/README.md). Needs root with CAP_NET_ADMIN; installs
# what it lacks (Debian: iproute2, nftables, coturn, python3, openssl, chromium) when it can, and
# otherwise says why it skipped and exits 0, so `npm test` passes on a laptop without it.
# Arguments go to Playwright (e.g. -g uplink). DIST_DIR (default dist-lab) and E2E_OUTPUT_DIR
# (default test-results-lab) keep its build and results apart from the other browser tests.
set -euo pipefail
cd "$(dirname "$0")/../.."

skip() {
  echo "== NAT lab skipped: $1"
  exit 0
}

[ "$(uname -s)" = Linux ] || skip "network namespaces need Linux"
[ "$(id -u)" = 0 ] || skip "not root (the lab builds network namespaces: run as root with CAP_NET_ADMIN, as CI does)"

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v nft >/dev/null || missing+=(nftables)
command -v turnserver >/dev/null || missing+=(coturn)
command -v python3 >/dev/null || missing+=(python3)
command -v openssl >/dev/null || missing+=(openssl)
[ -x "$chromium" ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    echo "== NAT lab: installing ${missing[*]}"
    # coturn's package does not start a server by itself (TURNSERVER_ENABLED stays unset); the
    # lab runs its own inside a namespace.
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
      skip "could not install ${missing[*]}"
    fi
  else
    skip "missing ${missing[*]} and no apt-get to install them"
  fi
fi
[ -x "$chromium" ] || skip "no Chromium at $chromium (set CHROMIUM_PATH)"
# Root is not enough in a container without CAP_NET_ADMIN: lab.sh tries a namespace and a NAT.
if ! why=$(bash tests/lab/lab.sh check); then skip "$why"; fi

export DIST_DIR=${DIST_DIR:-dist-lab}
export E2E_OUTPUT_DIR=${E2E_OUTPUT_DIR:-test-results-lab}
export CHROMIUM_PATH=$chromium

# Whatever happens (a failure, Ctrl-C, a crashed Playwright), no namespace outlives the run.
trap 'bash tests/lab/lab.sh down' EXIT
trap 'exit 130' INT TERM

if [ -n "${LAB_PREBUILT:-}" ] && [ -f "$DIST_DIR/index.html" ]; then
  echo "== NAT lab: using the build in $DIST_DIR"
else
  echo "== NAT lab: building the app into $DIST_DIR"
  npm run build >/dev/null
fi
echo "== NAT lab: running the scenarios"
npx playwright test -c tests/lab/playwright.lab.config.ts "$@"
