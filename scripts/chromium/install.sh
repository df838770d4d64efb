#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed, for the browser test of the HTML run report
# (tests/report-browser), and prints the variable that points the test at it as an `export` line:
#
#   eval "$(bash scripts/chromium/install.sh)"
#
# npm's browser downloads (puppeteer's, playwright's) fetch from hosts this machine cannot reach:
# the test drives this Chromium with puppeteer-core instead. Installs `chromium` with apt-get when
# it is missing (that needs root, as CI has). Idempotent. Progress goes to stderr, so stdout holds
# nothing but the export.
set -euo pipefail

log() { echo "chromium: $*" >&2; }

BINARY="${TABLECAST_CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "${BINARY}" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    log "no Chromium at ${BINARY}, and I am not root to install it: run me as root, or set TABLECAST_CHROMIUM"
    exit 1
  fi
  log "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium >&2
  BINARY=/usr/bin/chromium
fi

echo "export TABLECAST_CHROMIUM=${BINARY}"
