#!/usr/bin/env bash
# Two-instance test, run by `./iiot test`: two platforms started with `./iiot start` from different
# data directories share one PostgreSQL without touching each other's credentials. PostgreSQL is
# restarted under them; afterwards both still serve and store.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
# shellcheck source=lib.sh
source scripts/lib.sh
# the instances started here take their names and passwords from their own data directories, not
# from the environment of the test run that called this script
unset INSA_DATADIR INSA_DB_NAME INSA_DB_URL INSA_DB_OWNER_USER INSA_DB_APP_USER INSA_DB_OWNER_PASSWORD \
  INSA_DB_APP_PASSWORD RESET_ROLE_PASSWORDS

log() { echo "instances-test: $*" >&2; }
work=$(mktemp -d)
pids=()
fail() {
  log "FAILED: $*"
  local f
  for f in "$work"/*.log; do [[ -f $f ]] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }; done
  exit 1
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  drop_instance "$work/a"
  drop_instance "$work/b"
  drop_instance "$work/c"
  rm -rf "$work"
}
trap cleanup EXIT

used_ports=" "
# A free port not handed out before in this run.
unused_port() {
  local p
  while :; do
    p=$(free_port)
    [[ $used_ports == *" $p "* ]] || break
  done
  used_ports+="$p "
  echo "$p"
}
declare -A port mgmt admin_token device_token

start() {
  local name=$1
  mkdir -p "$work/$name"
  port[$name]=$(unused_port)
  mgmt[$name]=$(unused_port)
  # without an AOT cache: each data directory would make its own (start-smoke.sh checks the cache)
  INSA_AOT_CACHE=off INSA_DATADIR="$work/$name" SERVER_PORT=${port[$name]} ./iiot start --insa.data-dir="$work/$name" \
    --management.server.port="${mgmt[$name]}" --insa.https.port=0 \
    --insa.mqtt.port=0 --insa.coap.port=0 --insa.amqp.port=0 --insa.mqtt.tls.port=0 --insa.amqp.tls.port=0 >"$work/$name.log" 2>&1 &
  pids+=($!)
}

# Healthy, and its system admin created (the generated password is written once the server is ready).
healthy() {
  local name=$1 i
  for ((i = 0; i < 240; i++)); do
    if curl -fsS "http://127.0.0.1:${port[$name]}/api/v1/health" 2>/dev/null | grep -q '"UP"' \
      && [[ -s $work/$name/admin-password.txt ]]; then
      return 0
    fi
    sleep 0.5
  done
  fail "instance $name is not healthy on port ${port[$name]}"
}

json() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

# As the instance's system admin: a tenant, entered, with a device (admin_token and device_token).
prepare() {
  local name=$1 token tenant device
  local base="http://127.0.0.1:${port[$name]}"
  token=$(curl -sS -H 'Content-Type: application/json' \
    -d "{\"email\":\"admin@localhost\",\"password\":\"$(cat "$work/$name/admin-password.txt")\"}" \
    "$base/api/v1/auth/login" | json access_token)
  [[ -n $token ]] || fail "$name: admin login failed"
  tenant=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Plant $name\",\"slug\":\"plant-$name\"}" "$base/api/v1/tenants" | json id)
  token=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"tenant_id\":\"$tenant\"}" "$base/api/v1/auth/switch-tenant" | json access_token)
  device=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"meter","type":"meter"}' "$base/api/v1/devices" | json access_token)
  [[ -n $device ]] || fail "$name: creating a device failed"
  admin_token[$name]=$token
  device_token[$name]=$device
}

# Stores a point through the HTTP device API (retrying while the database comes back) and reads it.
store() {
  local name=$1 device=$2 value=$3 i code
  local base="http://127.0.0.1:${port[$name]}"
  for ((i = 0; i < 60; i++)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
      -d "{\"level\": $value}" "$base/api/v1/$device/telemetry")
    [[ $code == 200 ]] && return 0
    sleep 1
  done
  fail "$name: telemetry answered $code"
}

latest() {
  local name=$1 token=$2 id
  local base="http://127.0.0.1:${port[$name]}"
  id=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/devices?name=meter" | json id)
  curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/devices/$id/telemetry/latest?keys=level" \
    | sed -n 's/.*"value":\([0-9.]*\).*/\1/p'
}

start a
healthy a # the first start builds the server jar when the sources changed; the second then finds it
start b
healthy b
prepare a
prepare b
store a "${device_token[a]}" 1
store b "${device_token[b]}" 2
log "both instances serve; restarting PostgreSQL under them"

line=$(pg_lsclusters --no-header | awk -v p="${INSA_DB_PORT:-5432}" '$3 == p { print $1, $2; exit }')
read -r ver cluster <<<"$line"
# without this run's open files beyond stdio (a lock a caller holds must not live on in PostgreSQL)
restart_cluster() {
  as_root pg_ctlcluster "$ver" "$cluster" restart || as_postgres pg_ctlcluster "$ver" "$cluster" restart
}
restart_cluster 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- || fail "cannot restart PostgreSQL $ver/$cluster"

store a "${device_token[a]}" 11
store b "${device_token[b]}" 22
[[ $(latest a "${admin_token[a]}") == 11* ]] || fail "instance a did not store after the restart"
[[ $(latest b "${admin_token[b]}") == 22* ]] || fail "instance b did not store after the restart"
for name in a b; do
  grep -q "password authentication failed" "$work/$name.log" && fail "instance $name saw its credentials refused"
done
log "ok: two instances on one PostgreSQL served and stored before and after its restart"

# A new data directory whose default names belong to roles it has no password for (a deleted data
# directory's) gets names of its own, and the existing roles keep their passwords.
mkdir -p "$work/c"
taken=insa_$(printf '%s' "$work/c" | sha256sum | cut -c1-8)
as_postgres psql -X -q -p "${INSA_DB_PORT:-5432}" -d postgres \
  -c "CREATE ROLE \"${taken}_owner\" LOGIN PASSWORD 'orphan'" >/dev/null || fail "cannot create an orphan role"
INSA_DATADIR="$work/c" ./iiot env >"$work/c.env" 2>"$work/c.log" || fail "a start beside an orphan role failed"
grep -q "^export INSA_DB_NAME=insa_" "$work/c.env" && ! grep -qx "export INSA_DB_NAME=$taken" "$work/c.env" \
  || fail "the new data directory took the orphan's names"
PGPASSWORD=orphan psql -X -qAt -h 127.0.0.1 -p "${INSA_DB_PORT:-5432}" -U "${taken}_owner" -d postgres \
  -c 'SELECT 1' >/dev/null || fail "the orphan role's password was changed"
as_postgres psql -X -q -p "${INSA_DB_PORT:-5432}" -d postgres -c "DROP ROLE \"${taken}_owner\"" >/dev/null
log "ok: a new data directory beside roles of the same name got names of its own"
