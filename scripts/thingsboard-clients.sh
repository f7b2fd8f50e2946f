#!/usr/bin/env bash
# ThingsBoard client check, run by `./iiot test` after the start smoke test, or alone:
# scripts/thingsboard-clients.sh. `./iiot start` on a fresh database and data directory of its own;
# then scripts/thingsboard_clients.py drives it as ThingsBoard's device SDKs do (tb-mqtt-client's
# device, gateway and HTTP clients: their topics, payloads and client defaults) over paho-mqtt
# (Debian's python3-paho-mqtt) and HTTP, and prints PASS or FAIL for each check. Exits non-zero when
# any check failed. docs/protocols.md, "Checked with ThingsBoard's clients", lists what it covers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPO=$PWD
# shellcheck source=lib.sh
source scripts/lib.sh
# the instance started here takes its names and passwords from its own data directory, not from the
# environment of the test run that called this script
unset INSA_DATADIR INSA_DB_NAME INSA_DB_URL INSA_DB_OWNER_USER INSA_DB_APP_USER INSA_DB_OWNER_PASSWORD \
  INSA_DB_APP_PASSWORD RESET_ROLE_PASSWORDS
log() { echo "thingsboard-clients: $*" >&2; }
fail() { log "FAILED: $*"; [[ -f ${work:-}/server.log ]] && tail -n 60 "$work/server.log" >&2; exit 1; }

# Debian's Python, where python3-paho-mqtt is installed (a python3 earlier on the PATH may lack it)
python=/usr/bin/python3
"$python" -c 'import paho.mqtt.client' 2>/dev/null \
  || fail "no paho-mqtt for $python: apt-get install python3-paho-mqtt"

work=$(mktemp -d)
port=$(free_port)
mqtt_port=$(free_port)
management_port=$(free_port)
pid=

cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [[ -n ${smtp_pid:-} ]] && kill "$smtp_pid" 2>/dev/null && wait "$smtp_pid" 2>/dev/null || true
  drop_instance "$work/data"
  rm -rf "$work"
}
trap cleanup EXIT

# the tenant's users join through the invitation mails: an SMTP server of our own writes them to
# $work/mail.txt
coproc SMTP { exec python3 scripts/smtp-sink.py "$work/mail.txt"; }
smtp_pid=$SMTP_PID
read -r -t 10 smtp_port <&"${SMTP[0]}" || fail "the SMTP sink did not start"

# a data directory of its own, so an instance (database and roles) of its own; no AOT cache (the
# start smoke test covers it; making one is a training run of about a minute)
started=$(date +%s%N)
mkdir -p "$work/data"
INSA_DATADIR="$work/data" INSA_AOT_CACHE=off SERVER_PORT=$port ./iiot start --insa.data-dir="$work/data" \
  --management.server.port="$management_port" --insa.https.port=0 --insa.mqtt.port="$mqtt_port" \
  --insa.coap.port=0 --insa.amqp.port=0 --insa.mqtt.tls.port=0 --insa.amqp.tls.port=0 \
  --spring.mail.host=127.0.0.1 --spring.mail.port="$smtp_port" >"$work/server.log" 2>&1 &
pid=$!

for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/api/v1/health" 2>/dev/null | grep -q '"UP"'; then break; fi
  kill -0 "$pid" 2>/dev/null || fail "the server exited"
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null || fail "no healthy server on port $port"
secret="$work/data/admin-password.txt"
[[ -f $secret ]] || fail "no generated admin password in $secret"

log "healthy after $(( ($(date +%s%N) - started) / 1000000 )) ms on port $port, MQTT on $mqtt_port;" \
  "driving it as ThingsBoard's clients do"
started=$(date +%s)
rc=0
INSA_URL="http://127.0.0.1:$port" INSA_MQTT_PORT=$mqtt_port INSA_ADMIN_PASSWORD_FILE=$secret \
  INSA_MAIL_FILE="$work/mail.txt" \
  timeout 180 "$python" scripts/thingsboard_clients.py || rc=$?
if [[ $rc -ne 0 ]]; then
  log "FAILED (exit $rc, after $(($(date +%s) - started)) s); the server's log ends:"
  tail -n 40 "$work/server.log" >&2
  exit 1
fi
log "ok in $(($(date +%s) - started)) s: ThingsBoard's device, gateway and HTTP client flows work against ./iiot start"
