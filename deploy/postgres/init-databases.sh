#!/bin/bash
# Creates one login role and one database, of the same name, per No Wrong Door service.
#
# The postgres image runs this from /docker-entrypoint-initdb.d/ once, when its data
# directory is empty (a fresh volume); it is not run again on later starts, so changing a
# password in .env afterwards needs `ALTER ROLE ... PASSWORD ...` or a fresh volume.
#
# Each password comes from NWD_<SERVICE>_DB_PASSWORD, which docker-compose.yml passes to
# the postgres container (defaults there are dev-only). Safe to run more than once.
# The entrypoint sources this file when it is not executable, and it already runs with
# `set -e`; this file sets nothing else (no `set -u`) and never calls `exit`.

set -e

nwd_create_service_database() {
    local name="$1" password="$2"
    if [ -z "$password" ]; then
        echo "nwd init: no password for '$name'; set NWD_${name^^}_DB_PASSWORD" >&2
        return 1
    fi
    psql -v ON_ERROR_STOP=1 --no-psqlrc \
        --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
        --set=name="$name" --set=password="$password" <<'EOSQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'name', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name')\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name')\gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'name')\gexec
EOSQL
}

nwd_create_service_database intake "${NWD_INTAKE_DB_PASSWORD:-}"
nwd_create_service_database triage "${NWD_TRIAGE_DB_PASSWORD:-}"
nwd_create_service_database casework "${NWD_CASEWORK_DB_PASSWORD:-}"
nwd_create_service_database referral "${NWD_REFERRAL_DB_PASSWORD:-}"
nwd_create_service_database learning "${NWD_LEARNING_DB_PASSWORD:-}"
