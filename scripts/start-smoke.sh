#!/usr/bin/env bash
# Start smoke test, run by `./iiot test` after the Maven suite: `./iiot start` on a fresh database and
# data directory must serve the API, create the system administrator with a generated password kept
# in the data directory (mode 0600) and named in the log by its file only, and accept a login with it;
# on JDK 25 or newer it makes the build's AOT cache in the data directory and starts with it. The start
# runs on the bean definitions of Spring AOT (unless INSA_SPRING_AOT=off), where conditions were decided
# at build time, so it also checks settings given only at run time that Boot would switch by a
# condition: an SMTP server (spring.mail.host: an invitation is mailed to scripts/smtp-sink.py), the
# management port, and Swagger UI switched off (springdoc.swagger-ui.enabled=false, as in prod).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPO=$PWD
# shellcheck source=lib.sh
source scripts/lib.sh
# the instances started here take their names and passwords from their own data directories, not
# from the environment of the test run that called this script
unset INSA_DATADIR INSA_DB_NAME INSA_DB_URL INSA_DB_OWNER_USER INSA_DB_APP_USER INSA_DB_OWNER_PASSWORD \
  INSA_DB_APP_PASSWORD RESET_ROLE_PASSWORDS
log() { echo "start-smoke: $*" >&2; }
fail() { log "FAILED: $*"; [[ -f ${work:-}/server.log ]] && tail -n 60 "$work/server.log" >&2; exit 1; }

work=$(mktemp -d)
port=$(free_port)
# Actuator's own port (management.server.port, on 127.0.0.1): metrics are not on the main port
management_port=$(free_port)
pid=

cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [[ -n ${smtp_pid:-} ]] && kill "$smtp_pid" 2>/dev/null && wait "$smtp_pid" 2>/dev/null || true
  drop_instance "$work/data"
  rm -rf "$work"
}
trap cleanup EXIT

# an SMTP server of our own: the mails it accepts go to $work/mail.txt
coproc SMTP { exec python3 scripts/smtp-sink.py "$work/mail.txt"; }
smtp_pid=$SMTP_PID
read -r -t 10 smtp_port <&"${SMTP[0]}" || fail "the SMTP sink did not start"

started=$(date +%s%N)
# a data directory of its own, so an instance (database and roles) of its own
mkdir -p "$work/data"
INSA_DATADIR="$work/data" SERVER_PORT=$port ./iiot start --insa.data-dir="$work/data" \
  --management.server.port="$management_port" --insa.https.port=0 \
  --insa.mqtt.port=0 --insa.coap.port=0 --insa.amqp.port=0 --insa.mqtt.tls.port=0 --insa.amqp.tls.port=0 \
  --spring.mail.host=127.0.0.1 --spring.mail.port="$smtp_port" --springdoc.swagger-ui.enabled=false \
  >"$work/server.log" 2>&1 &
pid=$!

# the first start of a build on JDK 25+ makes its AOT cache first (a training run of the server)
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$port/api/v1/health" 2>/dev/null | grep -q '"UP"'; then break; fi
  kill -0 "$pid" 2>/dev/null || fail "the server exited"
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null || fail "no healthy server on port $port"
log "healthy after $(( ($(date +%s%N) - started) / 1000000 )) ms (including PostgreSQL setup and the JVM start)"

# JDK 25 or newer: the start made the build's AOT cache in the data directory and started with it
jdk=$(sed -n 's/^iiot: using JDK \([0-9]*\) .*/\1/p' "$work/server.log")
if [[ ${jdk:-0} -ge 25 ]]; then
  compgen -G "$work/data/aot-cache/*/app.aot" >/dev/null || fail "no AOT cache in $work/data/aot-cache"
  grep -q '^iiot: starting with the AOT cache' "$work/server.log" || fail "the server did not start with the AOT cache"
fi

# Spring AOT unless switched off: the bean definitions worked out when the jar was built
if [[ ${INSA_SPRING_AOT:-on} == on ]]; then
  grep -q 'Starting AOT-processed IiotApplication' "$work/server.log" || fail "the server did not start with Spring AOT"
fi

secret="$work/data/admin-password.txt"
[[ -f $secret ]] || fail "no generated admin password in $secret"
[[ $(stat -c %a "$secret") == 600 ]] || fail "$secret has mode $(stat -c %a "$secret"), not 600"
# the log names the file, never the password (logs are shipped and kept where the file's mode does not reach)
grep -qF -- "$(cat "$secret")" "$work/server.log" && fail "the generated password is written to the log"
grep -qF -- "$secret" "$work/server.log" || fail "the log does not say where the generated password is"

login=$(curl -sS -H 'Content-Type: application/json' \
  -d "{\"email\":\"admin@localhost\",\"password\":\"$(cat "$secret")\"}" "http://127.0.0.1:$port/api/v1/auth/login")
token=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' <<<"$login")
[[ -n $token ]] || fail "login with the generated password failed: $login"
me=$(curl -sS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/auth/me")
grep -q '"is_admin":true' <<<"$me" || fail "/api/v1/auth/me did not show the system administrator: $me"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v3/api-docs")
[[ $code == 200 ]] || fail "/v3/api-docs answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/swagger-ui/index.html")
[[ $code == 404 ]] || fail "/swagger-ui/index.html answered $code although springdoc.swagger-ui.enabled=false"

# an invitation goes out by e-mail through the SMTP server set on the command line
tenant=$(curl -sS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"Smoke","slug":"smoke"}' "http://127.0.0.1:$port/api/v1/tenants")
tenant_id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' <<<"$tenant")
[[ -n $tenant_id ]] || fail "no tenant created: $tenant"
code=$(curl -sS -o "$work/invite.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"email":"invited@smoke.example","role":"viewer"}' \
  "http://127.0.0.1:$port/api/v1/tenants/$tenant_id/users/invite")
[[ $code == 201 ]] || fail "inviting answered $code: $(cat "$work/invite.json")"
for _ in $(seq 1 50); do
  grep -q 'accept-invite?token=' "$work/mail.txt" 2>/dev/null && break
  sleep 0.1
done
grep -q 'accept-invite?token=' "$work/mail.txt" 2>/dev/null || fail "no invitation reached the SMTP server"
grep -qi '^To: invited@smoke.example' "$work/mail.txt" || fail "the invitation went to someone else: $(cat "$work/mail.txt")"

# read whole first: grep -q would close the pipe early and fail the pipeline (pipefail)
metrics=$(curl -fsS "http://127.0.0.1:$management_port/actuator/prometheus") \
  || fail "no answer at 127.0.0.1:$management_port/actuator/prometheus"
grep -q '^jvm_memory_used_bytes' <<<"$metrics" || fail "no JVM metrics at 127.0.0.1:$management_port/actuator/prometheus"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/actuator/prometheus")
[[ $code != 200 ]] || fail "the main port serves /actuator/prometheus"

log "ok: ./iiot start served the API on port $port and metrics on 127.0.0.1:$management_port; the generated admin logged in; an invitation was mailed"
