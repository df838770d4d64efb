#!/usr/bin/env bash
# Stops the test cluster that start.sh started (its data stays; start.sh starts it again).
set -euo pipefail
CLUSTER_NAME="${TABLECAST_PG_CLUSTER:-tablecast}"
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if pg_lsclusters -h | awk -v v="${VERSION}" -v c="${CLUSTER_NAME}" '$1==v && $2==c && $4=="online" {found=1} END {exit !found}'; then
  pg_ctlcluster "${VERSION}" "${CLUSTER_NAME}" stop
  echo "postgres: cluster ${VERSION}/${CLUSTER_NAME} stopped" >&2
else
  echo "postgres: cluster ${VERSION}/${CLUSTER_NAME} is not running" >&2
fi
