#!/usr/bin/env bash
# The whole test suite, as the README's quick start and CI run it: a local PostgreSQL server for
# the source tests (unless PGHOST already points at one), Chromium for the HTML report's browser
# test, a build, then every package's typecheck and tests. Ends with one "N passed, N failed" line
# counted over all packages.
set -euo pipefail
cd "$(dirname "$0")/.."

export TURBO_TELEMETRY_DISABLED=1
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
export SNOWFLAKE_DISABLE_PLATFORM_DETECTION=true
export SF_TELEMETRY_DISABLE_CONNECTION_SHAPE=1

if [ -z "${PGHOST:-}" ]; then
  eval "$(bash scripts/postgres/start.sh)"
fi
# Chromium, for the HTML report's browser test (tests/report-browser).
eval "$(bash scripts/chromium/install.sh)"

log="$(mktemp -t tablecast-test.XXXXXX.log)"
status=0
{
  turbo run build --output-logs=errors-only &&
  turbo run typecheck test --concurrency=1 --continue --output-logs=full
} 2>&1 | tee "$log" || status=$?
node scripts/test-summary.mjs "$log" || status=1
rm -f "$log"
exit "$status"
