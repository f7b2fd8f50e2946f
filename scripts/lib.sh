# shellcheck shell=bash
# Helper functions for ./iiot: JDK selection, apt packages, PostgreSQL setup.
# Sourced by ./iiot; expects REPO to be set and `set -euo pipefail` in effect.

log() { echo "iiot: $*" >&2; }
die() { echo "iiot: error: $*" >&2; exit 1; }
is_root() { [[ $(id -u) -eq 0 ]]; }

# --- JDK ---------------------------------------------------------------------

# Prints the major version of the JDK at $1 (empty if it has no working java): from its release file,
# else from `java -version` (which costs a JVM start, a tenth of a second of every ./iiot command).
java_major() {
  [[ -x $1/bin/java ]] || return 0
  local version
  version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release" 2>/dev/null)
  [[ -n $version ]] || version=$("$1/bin/java" -version 2>&1 | awk -F'"' '/version "/ { print $2; exit }')
  awk -v version="$version" 'BEGIN { split(version, v, "."); m = (v[1] == "1") ? v[2] : v[1]
    sub(/[^0-9].*/, "", m); if (m != "") print m }'
}

select_jdk() {
  local home="" major=0 dir m
  if [[ -n ${JAVA_HOME:-} ]]; then
    m=$(java_major "$JAVA_HOME")
    if [[ ${m:-0} -ge 21 ]]; then home=$JAVA_HOME; major=$m
    else log "ignoring JAVA_HOME=$JAVA_HOME (not a JDK >= 21)"; fi
  fi
  if [[ -z $home ]]; then
    for dir in /usr/lib/jvm/*/; do
      dir=${dir%/}
      [[ -x $dir/bin/javac ]] || continue
      m=$(java_major "$dir")
      if [[ ${m:-0} -ge 21 && $m -gt $major ]]; then home=$dir; major=$m; fi
    done
  fi
  [[ -n $home ]] || die "no JDK >= 21 found (JAVA_HOME or /usr/lib/jvm/*).
  Install one, e.g. 'apt-get install -y openjdk-21-jdk' (Ubuntu, Debian 13) or a
  Temurin JDK from https://adoptium.net, or set JAVA_HOME to a JDK >= 21."
  export JAVA_HOME=$home PATH="$home/bin:$PATH" JAVA_MAJOR=$major
  if [[ $major -ge 23 && ${MAVEN_OPTS:-} != *--sun-misc-unsafe-memory-access=* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
  fi
  log "using JDK $major at $JAVA_HOME"
}

# --- apt packages --------------------------------------------------------------

# ensure_packages PKG...: installs the missing packages with a single apt-get run.
# "postgresql" counts as present when the PostgreSQL cluster tools are installed.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    if [[ $pkg == postgresql ]]; then
      command -v pg_lsclusters >/dev/null && [[ -n $(pg_versions) ]] && continue
    else
      dpkg -s "$pkg" >/dev/null 2>&1 && continue
    fi
    missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  is_root || die "missing packages: ${missing[*]}
  Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get; install them manually"
  log "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 || die "apt-get update failed"
  apt-get install -y -q "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# --- PostgreSQL ------------------------------------------------------------------

pg_versions() { find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -n; }

# Runs a command with root privileges (directly, or via passwordless sudo).
as_root() {
  if is_root; then "$@"
  elif sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 126; fi
}

# Runs a command as the postgres OS user (from /, which that user can read).
as_postgres() {
  if is_root; then (cd / && runuser -u postgres -- "$@")
  elif [[ $(id -un) == postgres ]]; then (cd / && "$@")
  elif sudo -n true 2>/dev/null; then (cd / && sudo -n -u postgres -- "$@")
  else return 126; fi
}

# Makes sure a cluster listening on $INSA_DB_PORT exists and is running.
ensure_cluster() {
  local port=$INSA_DB_PORT ver name status line
  line=$(pg_lsclusters --no-header 2>/dev/null | awk -v p="$port" '$3 == p { print $1, $2, $4; exit }')
  if [[ -z $line ]]; then
    [[ -z $(pg_lsclusters --no-header 2>/dev/null) ]] \
      || die "no PostgreSQL cluster on port $port (see pg_lsclusters); set INSA_DB_PORT"
    ver=$(pg_versions | tail -n 1)
    log "creating PostgreSQL $ver cluster 'main' on port $port"
    as_root pg_createcluster "$ver" main --port "$port" >&2 \
      || die "cannot create a cluster; run: sudo pg_createcluster $ver main --port $port"
    line="$ver main down"
  fi
  read -r ver name status <<<"$line"
  if [[ $status == down* ]]; then
    log "starting PostgreSQL cluster $ver/$name"
    # without this run's open files beyond stdio: PostgreSQL outlives it, and a lock its caller holds
    # (flock FILE ./iiot ...) would stay held by the server until it stops
    { as_root pg_ctlcluster "$ver" "$name" start || as_postgres pg_ctlcluster "$ver" "$name" start; } \
      3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- || die "cannot start PostgreSQL; run: sudo pg_ctlcluster $ver $name start"
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    pg_isready -q -h 127.0.0.1 -p "$port" && return 0
    sleep 1
  done
  die "PostgreSQL $ver/$name is not accepting connections on 127.0.0.1:$port after 60s
  (see /var/log/postgresql/postgresql-$ver-$name.log)"
}

# 48 hex characters from /dev/urandom (no openssl needed on minimal systems).
# A port that is free on 127.0.0.1 now (another process may take it before it is used).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

# A port that is free on 127.0.0.1 now, and the next one too: './iiot kafka' listens on both (broker
# and controller).
free_port_pair() {
  python3 -c '
import socket
for _ in range(100):
    first, second = socket.socket(), socket.socket()
    try:
        first.bind(("127.0.0.1", 0))
        port = first.getsockname()[1]
        second.bind(("127.0.0.1", port + 1))
        print(port)
        break
    except OSError:
        pass
    finally:
        first.close()
        second.close()
'
}

gen_password() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

# The instance's names: one database and its two roles per data directory, so that instances on
# one PostgreSQL never touch each other's credentials. A data directory records its names beside
# its passwords (db-credentials.env); a new one takes the historical names (insa, insa_owner,
# insa_app) for $REPO/data, else insa_<8 hex of its path> (claim_instance_names picks others when
# those roles exist already). INSA_DB_* from the environment win. Needs INSA_DATADIR as an
# absolute path.
instance_names() {
  local derived=insa
  if [[ $INSA_DATADIR != "$REPO/data" ]]; then
    derived=insa_$(printf '%s' "$INSA_DATADIR" | sha256sum | cut -c1-8)
  fi
  OWN_CREDENTIALS_FILE=$INSA_DATADIR/db-credentials.env
  local recorded
  recorded=$(credential_value "$OWN_CREDENTIALS_FILE" INSA_DB_NAME)
  OWN_DB_NAME=${recorded:-$derived}
  # names the caller did not choose may still be moved by claim_instance_names
  NAMES_CLAIMABLE=0
  [[ -z ${INSA_DB_NAME:-} && -z $recorded && ! -f $OWN_CREDENTIALS_FILE ]] && NAMES_CLAIMABLE=1
  export INSA_DB_NAME=${INSA_DB_NAME:-$OWN_DB_NAME}
  role_names
}

# Owner and app role names: from the environment, else as recorded for the data directory's own
# instance, else <database>_owner and <database>_app.
role_names() {
  local own_owner="" own_app=""
  if [[ $INSA_DB_NAME == "$OWN_DB_NAME" ]]; then
    CREDENTIALS_FILE=$OWN_CREDENTIALS_FILE
    own_owner=$(credential_value "$CREDENTIALS_FILE" INSA_DB_OWNER_USER)
    own_app=$(credential_value "$CREDENTIALS_FILE" INSA_DB_APP_USER)
  else
    # another instance of this data directory (e.g. the test suite's) has a file of its own
    CREDENTIALS_FILE=$INSA_DATADIR/db-credentials-$INSA_DB_NAME.env
  fi
  export INSA_DB_OWNER_USER=${INSA_DB_OWNER_USER:-${own_owner:-${INSA_DB_NAME}_owner}}
  export INSA_DB_APP_USER=${INSA_DB_APP_USER:-${own_app:-${INSA_DB_NAME}_app}}
}

# credential_value FILE KEY: the value of KEY=... in FILE (empty when absent).
credential_value() {
  [[ -f $1 ]] || return 0
  local key val
  while IFS='=' read -r key val; do
    if [[ $key == "$2" ]]; then
      val=${val#[\"\']}; val=${val%[\"\']}
      printf '%s' "$val"
      return 0
    fi
  done <"$1"
}

# A new data directory whose default names are taken in this PostgreSQL (by another installation,
# or by a data directory that was deleted with its passwords) gets names of its own instead of
# failing to log in; existing roles are never touched. Needs the cluster running; skipped when the
# postgres user is out of reach.
claim_instance_names() {
  [[ $NAMES_CLAIMABLE == 1 ]] || return 0
  local taken
  taken=$(as_postgres psql -X -qAt -p "$INSA_DB_PORT" -d postgres \
    -v owner="$INSA_DB_OWNER_USER" -v app="$INSA_DB_APP_USER" -v db="$INSA_DB_NAME" <<<"
    SELECT (SELECT count(*) FROM pg_roles WHERE rolname IN (:'owner', :'app'))
         + (SELECT count(*) FROM pg_database WHERE datname = :'db');" 2>/dev/null) || return 0
  [[ ${taken:-0} -gt 0 ]] || return 0
  local previous=$INSA_DB_NAME
  OWN_DB_NAME=insa_$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')
  export INSA_DB_NAME=$OWN_DB_NAME
  unset INSA_DB_OWNER_USER INSA_DB_APP_USER
  role_names
  log "database $previous or its roles exist already in this PostgreSQL (another installation, or a
  deleted data directory's): this data directory gets its own, $INSA_DB_NAME"
}

# Reads the generated passwords from $CREDENTIALS_FILE, generating and storing any missing one,
# together with the instance's names; INSA_DB_*_PASSWORD from the environment win.
load_credentials() {
  local file=$CREDENTIALS_FILE owner_pw app_pw
  owner_pw=$(credential_value "$file" INSA_DB_OWNER_PASSWORD)
  app_pw=$(credential_value "$file" INSA_DB_APP_PASSWORD)
  if [[ -z $owner_pw || -z $app_pw || -z $(credential_value "$file" INSA_DB_NAME) ]]; then
    [[ -n $owner_pw && -n $app_pw ]] || log "generated database passwords in $file"
    owner_pw=${owner_pw:-$(gen_password)}
    app_pw=${app_pw:-$(gen_password)}
    (umask 077 && printf '%s\n' "INSA_DB_NAME=$INSA_DB_NAME" "INSA_DB_OWNER_USER=$INSA_DB_OWNER_USER" \
      "INSA_DB_APP_USER=$INSA_DB_APP_USER" "INSA_DB_OWNER_PASSWORD=$owner_pw" \
      "INSA_DB_APP_PASSWORD=$app_pw" >"$file")
  fi
  chmod 600 "$file"
  export INSA_DB_OWNER_PASSWORD=${INSA_DB_OWNER_PASSWORD:-$owner_pw}
  export INSA_DB_APP_PASSWORD=${INSA_DB_APP_PASSWORD:-$app_pw}
}

# Quotes $1 as a single-quoted psql meta-command argument.
psql_arg() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\'\'}"; }

# The test suite's roles serve nothing that outlives a run (its databases are dropped at exit), so
# a run may take them over with its own passwords (RESET_ROLE_PASSWORDS=1, set by ./iiot test).
reset_password() {
  [[ ${RESET_ROLE_PASSWORDS:-0} == 1 ]] && printf 'ALTER ROLE :"%s" PASSWORD :'"'"'%s_pw'"'"';\n' "$1" "$1"
  return 0
}

# SQL (psql script) that creates the roles and the database when missing. The password of an
# existing role is never changed (but for the test suite's): it may be another installation's
# (ensure_roles then says so).
roles_sql() {
  cat <<EOF
\\set owner $(psql_arg "$INSA_DB_OWNER_USER")
\\set app $(psql_arg "$INSA_DB_APP_USER")
\\set db $(psql_arg "$INSA_DB_NAME")
\\set owner_pw $(psql_arg "$INSA_DB_OWNER_PASSWORD")
\\set app_pw $(psql_arg "$INSA_DB_APP_PASSWORD")
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'owner', :'owner_pw') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \\gexec
ALTER ROLE :"owner" WITH LOGIN CREATEDB CREATEROLE NOSUPERUSER NOBYPASSRLS;
$(reset_password owner)
SELECT format('GRANT pg_signal_backend TO %I', :'owner') WHERE NOT pg_has_role(:'owner', 'pg_signal_backend', 'MEMBER') \\gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'app', :'app_pw') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \\gexec
ALTER ROLE :"app" WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
$(reset_password app)
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec
EOF
}

ensure_roles() {
  local sql
  sql=$(roles_sql)
  if as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$INSA_DB_PORT" -d postgres <<<"$sql" >/dev/null; then
    log "roles $INSA_DB_OWNER_USER, $INSA_DB_APP_USER and database $INSA_DB_NAME are ready"
  else
    [[ $? -eq 126 ]] || die "creating the database roles failed (see above)"
    log "cannot act as the postgres user (not root, no passwordless sudo): skipping role setup."
  fi
  PGPASSWORD=$INSA_DB_OWNER_PASSWORD psql -X -qAt -h 127.0.0.1 -p "$INSA_DB_PORT" \
    -U "$INSA_DB_OWNER_USER" -d "$INSA_DB_NAME" -c 'SELECT 1' >/dev/null \
    || die "cannot log in as $INSA_DB_OWNER_USER to $INSA_DB_NAME on 127.0.0.1:$INSA_DB_PORT with the
  password of $CREDENTIALS_FILE.
  If the role exists already, it belongs to another installation or an older data directory, and
  its password is left as it is: give this instance its own names (INSA_DB_NAME=...), or set
  INSA_DB_OWNER_PASSWORD and INSA_DB_APP_PASSWORD to that installation's passwords.
  To create the roles and the database by hand, run as the PostgreSQL superuser:
    ./iiot sql | sudo -u postgres psql -X -v ON_ERROR_STOP=1 -p $INSA_DB_PORT -d postgres"
}

# drop_instance DATADIR: drops the database and roles of the instance of a data directory (for
# test scripts; as the postgres user, skipped when that is not possible).
drop_instance() {
  local db="" owner="" app=""
  read -r db owner app < <(
    INSA_DATADIR=$(cd "$1" 2>/dev/null && pwd) || exit 0
    unset INSA_DB_NAME INSA_DB_OWNER_USER INSA_DB_APP_USER
    instance_names
    echo "$INSA_DB_NAME $INSA_DB_OWNER_USER $INSA_DB_APP_USER") || true
  [[ -n $db ]] || return 0
  as_postgres psql -X -q -p "${INSA_DB_PORT:-5432}" -d postgres \
    -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
    -c "DROP ROLE IF EXISTS \"$app\"" -c "DROP ROLE IF EXISTS \"$owner\"" >/dev/null 2>&1 || true
}
