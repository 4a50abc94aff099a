#!/bin/bash
# Starts PostgreSQL as user postgres. On the first start (an empty data volume) it creates the
# cluster, the application's role with the password from the Compose secret, and its database.
#
#   DB_NAME, DB_USER    database and role the application uses
#   DB_PASSWORD_FILE    the role's password (a Compose secret, e.g. /run/secrets/db_password)
#
# The password is applied only when the cluster is created; later changes to the secret need an
# `ALTER ROLE` in the running database (see the stack's README).
set -euo pipefail

: "${PGDATA:?}" "${DB_NAME:?}" "${DB_USER:?}" "${DB_PASSWORD_FILE:?}"

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

# The volume may come from a restore or another engine that did not keep the image's owner.
install -d -o postgres -g postgres -m 2775 /run/postgresql
chown postgres:postgres "$PGDATA"
chmod 700 "$PGDATA"

if [[ ! -s $PGDATA/PG_VERSION ]]; then
  if [[ ! -r $DB_PASSWORD_FILE ]]; then
    echo "db: cannot read the password secret $DB_PASSWORD_FILE (declare it under the service's secrets:)" >&2
    exit 1
  fi
  password=$(<"$DB_PASSWORD_FILE")
  if [[ -z $password ]]; then
    echo "db: the password secret $DB_PASSWORD_FILE is empty" >&2
    exit 1
  fi

  echo "db: initialising a new cluster in $PGDATA"
  # The superuser has no password: it can connect only through the local socket, as the
  # postgres system user (peer). Everything over the network needs a password (scram).
  as_postgres initdb --pgdata="$PGDATA" --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  printf '\n# slipway guestbook: clients on the stack network log in with a password\nhost all all all scram-sha-256\n' \
    >>"$PGDATA/pg_hba.conf"

  # A server on the socket only, so nothing reaches the database before it is set up.
  as_postgres pg_ctl --pgdata="$PGDATA" --wait --silent -o "-c listen_addresses=''" start
  # The password goes through the environment, not argv (which every process can read in /proc);
  # psql's :'var' / :"var" quote the values, so any password or name is safe here.
  DB_INIT_PASSWORD=$password as_postgres psql --quiet --no-psqlrc --set=ON_ERROR_STOP=1 \
    --username=postgres --dbname=postgres --set=user="$DB_USER" --set=db="$DB_NAME" <<'SQL'
\getenv password DB_INIT_PASSWORD
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"user";
SQL
  as_postgres pg_ctl --pgdata="$PGDATA" --wait --silent --mode=fast stop
  unset password
  echo "db: cluster ready (database $DB_NAME, owner $DB_USER)"
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
