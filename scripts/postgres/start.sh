#!/usr/bin/env bash
# Starts the PostgreSQL server that tablecast's tests use, on loopback only, and prints the PG*
# variables that point at it as `export` lines:
#
#   eval "$(bash scripts/postgres/start.sh)"
#
# Installs Debian's `postgresql` when it is missing, creates a dedicated cluster ("tablecast",
# port 54329, listening on 127.0.0.1 only, fsync off: it holds test data only), a login role and a
# database. Idempotent: a second run finds the cluster running and only prints the variables.
# Progress goes to stderr, so stdout holds nothing but the exports. Must run as root (CI does).
set -euo pipefail

CLUSTER_NAME="${TABLECAST_PG_CLUSTER:-tablecast}"
PORT="${TABLECAST_PG_PORT:-54329}"
ROLE="${TABLECAST_PG_USER:-tablecast}"
DATABASE="${TABLECAST_PG_DATABASE:-tablecast_test}"
# A throwaway credential for a loopback-only test server, not a secret.
PASSWORD="${TABLECAST_PG_PASSWORD:-tablecast-test}"

log() { echo "postgres: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "run me as root (I install packages and act as the postgres OS user)"
  exit 1
fi

if ! command -v pg_createcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
BIN="/usr/lib/postgresql/${VERSION}/bin"

if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "${VERSION} ${CLUSTER_NAME}"; then
  log "creating cluster ${VERSION}/${CLUSTER_NAME} on 127.0.0.1:${PORT}"
  pg_createcluster "${VERSION}" "${CLUSTER_NAME}" --port "${PORT}" \
    -- --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >&2
fi

# A private CA and a server certificate for 127.0.0.1/localhost, so tests can check TLS
# (sslmode=verify-full with the CA file). Made once; the CA's path is exported for the tests.
TLS_DIR="/etc/postgresql/${VERSION}/${CLUSTER_NAME}/tls"
if [ ! -f "${TLS_DIR}/server.crt" ]; then
  log "making a test CA and server certificate in ${TLS_DIR}"
  mkdir -p "${TLS_DIR}"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=tablecast test CA" \
    -keyout "${TLS_DIR}/ca.key" -out "${TLS_DIR}/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "${TLS_DIR}/server.key" -out "${TLS_DIR}/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "${TLS_DIR}/san.ext"
  openssl x509 -req -in "${TLS_DIR}/server.csr" -CA "${TLS_DIR}/ca.crt" -CAkey "${TLS_DIR}/ca.key" \
    -CAcreateserial -days 3650 -extfile "${TLS_DIR}/san.ext" -out "${TLS_DIR}/server.crt" 2>/dev/null
  chown -R postgres:postgres "${TLS_DIR}"
  chmod 0755 "${TLS_DIR}"
  chmod 0600 "${TLS_DIR}/server.key" "${TLS_DIR}/ca.key"
  chmod 0644 "${TLS_DIR}/ca.crt" "${TLS_DIR}/server.crt"
fi

# Settings live in conf.d (Debian's postgresql.conf includes it), rewritten on every run.
CONF="/etc/postgresql/${VERSION}/${CLUSTER_NAME}/conf.d/tablecast.conf"
mkdir -p "$(dirname "${CONF}")"
cat > "${CONF}" <<CONF
# Written by scripts/postgres/start.sh: a loopback-only server for tests (data is disposable).
listen_addresses = '127.0.0.1'
port = ${PORT}
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
ssl = on
ssl_cert_file = '${TLS_DIR}/server.crt'
ssl_key_file = '${TLS_DIR}/server.key'
CONF
chown postgres:postgres "${CONF}"

STATUS="$(pg_lsclusters -h | awk -v v="${VERSION}" -v c="${CLUSTER_NAME}" '$1==v && $2==c {print $4}')"
if [ "${STATUS}" != "online" ]; then
  log "starting cluster ${VERSION}/${CLUSTER_NAME}"
  pg_ctlcluster "${VERSION}" "${CLUSTER_NAME}" start >&2
else
  log "cluster ${VERSION}/${CLUSTER_NAME} already running"
  # Picks up a changed conf.d file (all settings above take a reload, except port/listen).
  pg_ctlcluster "${VERSION}" "${CLUSTER_NAME}" reload >&2
fi

# Wait until it takes connections (start returns once the postmaster is up; be safe anyway).
for _ in $(seq 1 50); do
  if "${BIN}/pg_isready" -q -h 127.0.0.1 -p "${PORT}"; then break; fi
  sleep 0.2
done
"${BIN}/pg_isready" -q -h 127.0.0.1 -p "${PORT}" || { log "server did not come up on 127.0.0.1:${PORT}"; exit 1; }

as_postgres() {
  # Through the Unix socket as the postgres superuser (peer authentication).
  (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "${PORT}" "$@")
}

as_postgres -d postgres >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}') THEN
    CREATE ROLE "${ROLE}" LOGIN PASSWORD '${PASSWORD}' CREATEDB;
  ELSE
    ALTER ROLE "${ROLE}" LOGIN PASSWORD '${PASSWORD}';
  END IF;
END
\$\$;
SQL

if [ "$(as_postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'")" != "1" ]; then
  log "creating database ${DATABASE}"
  as_postgres -d postgres -c "CREATE DATABASE \"${DATABASE}\" OWNER \"${ROLE}\"" >&2
fi

log "ready: postgresql://${ROLE}@127.0.0.1:${PORT}/${DATABASE}"
cat <<EOF
export PGHOST=127.0.0.1
export PGPORT=${PORT}
export PGUSER=${ROLE}
export PGPASSWORD=${PASSWORD}
export PGDATABASE=${DATABASE}
export TABLECAST_PG_CA=${TLS_DIR}/ca.crt
EOF
