#!/usr/bin/env bash
# Several-nodes test, run by `./iiot test`: what docs/deployment.md tells a user to type, checked
# from outside. `./iiot kafka` starts a broker, `./iiot start --node 1` and `--node 2` two nodes on
# it; mosquitto_pub (QoS 1) sends numbered readings to devices on both nodes; node 2 is killed with
# SIGKILL and its devices go on through node 1. Every reading mosquitto_pub had acknowledged is
# stored, none twice.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
# shellcheck source=lib.sh
source scripts/lib.sh
# the nodes take their names and passwords from their own data directory
unset INSA_DATADIR INSA_DB_NAME INSA_DB_URL INSA_DB_OWNER_USER INSA_DB_APP_USER INSA_DB_OWNER_PASSWORD \
  INSA_DB_APP_PASSWORD RESET_ROLE_PASSWORDS

log() { echo "nodes-test: $*" >&2; }
work=$(mktemp -d)
data=$work/data
mkdir -p "$data"
pids=()
fail() {
  log "FAILED: $*"
  local f
  for f in "$work"/*.log; do [[ -f $f ]] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }; done
  exit 1
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  drop_instance "$data"
  rm -rf "$work"
}
trap cleanup EXIT

# node N's ports, as --node N moves them (docs/deployment.md)
for port in 8080 8081 8443 1883 8883 5672 5671 8180 8181 8543 1983 8983 5772 5771; do
  if (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port is taken: './iiot start --node 1|2' needs it"
  fi
done

kafka_port=$(free_port_pair)
INSA_DATADIR=$data INSA_KAFKA_PORT=$kafka_port ./iiot kafka >"$work/kafka.log" 2>&1 &
pids+=($!)
for ((i = 0; i < 240; i++)); do
  (echo >"/dev/tcp/127.0.0.1/$kafka_port") 2>/dev/null && break
  sleep 0.5
done
(echo >"/dev/tcp/127.0.0.1/$kafka_port") 2>/dev/null || fail "Kafka is not listening on $kafka_port"

declare -A node_pid
start_node() {
  local n=$1
  # without an AOT cache: the training run of each would take longer than this test
  INSA_AOT_CACHE=off INSA_DATADIR=$data ./iiot start --node "$n" \
    --insa.kafka.bootstrap-servers="127.0.0.1:$kafka_port" --insa.kafka.partitions=4 \
    --insa.kafka.session-timeout=6s --insa.ingest.device-messages-per-second=100000 >"$work/node$n.log" 2>&1 &
  node_pid[$n]=$!
  pids+=($!)
  local http=$((8080 + (n - 1) * 100))
  for ((i = 0; i < 240; i++)); do
    if curl -fsS "http://127.0.0.1:$http/api/v1/health" 2>/dev/null | grep -q '"UP"' && [[ -s $data/admin-password.txt ]]; then
      return 0
    fi
    sleep 0.5
  done
  fail "node $n is not healthy on port $http"
}
start_node 1 # builds the server jar when the sources changed; node 2 then finds it
start_node 2

json() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
base=http://127.0.0.1:8080
token=$(curl -sS -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@localhost\",\"password\":\"$(cat "$data/admin-password.txt")\"}" \
  "$base/api/v1/auth/login" | json access_token)
[[ -n $token ]] || fail "admin login failed"
tenant=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"Nodes","slug":"nodes","max_messages_per_second":100000}' "$base/api/v1/tenants" | json id)
token=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"tenant_id\":\"$tenant\"}" "$base/api/v1/auth/switch-tenant" | json access_token)
declare -A device_token device_id sent
devices=(a1 a2 b1 b2) # a*: on node 1, b*: on node 2 until it is killed
for d in "${devices[@]}"; do
  created=$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"name\":\"meter-$d\",\"type\":\"meter\"}" "$base/api/v1/devices")
  device_token[$d]=$(json access_token <<<"$created")
  device_id[$d]=$(sed -n 's/.*"device":{"id":"\([^"]*\)".*/\1/p' <<<"$created")
  [[ -n ${device_token[$d]} && -n ${device_id[$d]} ]] || fail "creating device $d failed: $created"
  sent[$d]=0
done

# Publishes readings FROM..TO-1 of a device at QoS 1, one connection; mosquitto_pub exits 0 only when
# every PUBACK came. Records the readings acknowledged (all or, on failure, none are counted).
publish() {
  local d=$1 port=$2 from=$3 to=$4
  if seq "$from" $((to - 1)) | sed 's/.*/{"seq":&}/' \
    | mosquitto_pub -h 127.0.0.1 -p "$port" -u "${device_token[$d]}" -i "nodes-$d-$from" -q 1 \
      -t v1/devices/me/telemetry -l 2>>"$work/mqtt.log"; then
    sent[$d]=$to
  else
    return 1
  fi
}
for d in a1 a2; do publish "$d" 1883 0 200 || fail "node 1 did not acknowledge $d's readings"; done
for d in b1 b2; do publish "$d" 1983 0 200 || fail "node 2 did not acknowledge $d's readings"; done
log "both nodes acknowledged 200 readings of each device; killing node 2 (SIGKILL)"
kill -9 "${node_pid[2]}"
wait "${node_pid[2]}" 2>/dev/null || true
for d in b1 b2; do publish "$d" 1883 200 400 || fail "node 1 did not take $d's readings after node 2 died"; done
for d in a1 a2; do publish "$d" 1883 200 400 || fail "node 1 stopped acknowledging $d"; done

# Every acknowledged reading stored, none twice (readings go through Kafka: a dead node's partitions
# go to node 1's writers once its session times out).
for d in "${devices[@]}"; do
  count=""
  for ((i = 0; i < 120; i++)); do
    series=$(curl -fsS -H "Authorization: Bearer $token" \
      "$base/api/v1/devices/${device_id[$d]}/telemetry?keys=seq&limit=10000")
    values=$(grep -o '"value":[0-9]*' <<<"$series" | cut -d: -f2 | sort -n)
    count=$(grep -c . <<<"$values" || true)
    [[ $count -ge ${sent[$d]} ]] && break
    sleep 0.5
  done
  distinct=$(uniq <<<"$values" | grep -c . || true)
  [[ $distinct -eq $count ]] || fail "device $d: $((count - distinct)) readings stored twice"
  missing=$(comm -23 <(seq 0 $((sent[$d] - 1)) | sort) <(sort <<<"$values") | head -3)
  [[ -z $missing ]] || fail "device $d: acknowledged readings not stored, e.g. $missing"
done
log "ok: 2 nodes on Kafka, node 2 killed; 1,600 acknowledged readings of 4 devices stored, none twice"
