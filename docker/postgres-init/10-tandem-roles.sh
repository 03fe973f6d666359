#!/bin/sh
# Run once by the postgres image, as its superuser, when its data volume is first created
# (docker-compose.yml mounts this folder on /docker-entrypoint-initdb.d).
#
# Two roles, neither a superuser (config/dbroles.py):
# - tandem_owner owns the `tandem` database; the `migrate` service connects as it, so it
#   owns every table;
# - tandem_app is what web, worker and beat connect as: it owns nothing, and the migrations
#   grant it SELECT, INSERT, UPDATE and DELETE on the tables, but only SELECT and INSERT on
#   the audit trail and the access log.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_password="$TANDEM_OWNER_PASSWORD" -v app_password="$TANDEM_APP_PASSWORD" <<'SQL'
CREATE ROLE tandem_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE tandem_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE DATABASE tandem OWNER tandem_owner;
REVOKE ALL ON DATABASE tandem FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE tandem TO tandem_app;
SQL
