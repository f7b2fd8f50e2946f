#!/usr/bin/python3
"""Drives a running platform the way ThingsBoard's device SDKs (tb-mqtt-client: TBDeviceMqttClient,
TBGatewayMqttClient, TBHTTPDevice) drive ThingsBoard: the same topics, payloads and client defaults,
over paho-mqtt and plain HTTP. Run by scripts/thingsboard-clients.sh, which starts the platform.

Each check prints PASS or FAIL with what it saw; the exit status is 1 when any check failed. Every
wait has a timeout, so a platform that never answers fails the check instead of hanging it.

Environment: INSA_URL (http://127.0.0.1:<port>), INSA_MQTT_PORT, INSA_ADMIN_PASSWORD_FILE (the file
holding the system administrator's password, admin@localhost) and INSA_MAIL_FILE (where the SMTP
server the platform mails through writes the mails: the invitations of the tenant's users).
"""

import json
import os
import re
import secrets
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import paho.mqtt.client as mqtt

URL = os.environ["INSA_URL"]
MQTT_HOST = "127.0.0.1"
MQTT_PORT = int(os.environ["INSA_MQTT_PORT"])
WAIT = 5  # seconds for any one answer (they come in milliseconds)
failures = []


def check(name, ok, seen):
    print(f"{'PASS' if ok else 'FAIL'} {name}: {seen}", flush=True)
    if not ok:
        failures.append(name)
    return ok


# --- REST API ----------------------------------------------------------------------------------------


def http(method, path, body=None, token=None, timeout=WAIT):
    """One request; answers (status, parsed JSON or text or None). Never raises for HTTP errors."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, parse(response.read())
    except urllib.error.HTTPError as error:
        return error.code, parse(error.read())


def parse(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def require(status, answer, expected, what):
    if status != expected:
        raise RuntimeError(f"{what} answered {status}: {answer}")
    return answer


def login(email, password):
    status, answer = http("POST", "/api/v1/auth/login", {"email": email, "password": password})
    return require(status, answer, 200, f"login of {email}")["access_token"]


def tenant_member(sysadmin, tenant_id, email, role):
    """A new user of the tenant with the role, logged in there: invited by the system administrator,
    and joined with the token of the invitation mail (the SMTP sink writes mails to INSA_MAIL_FILE)."""
    invite = {"email": email, "role": role}
    require(*http("POST", f"/api/v1/tenants/{tenant_id}/users/invite", invite, sysadmin), 201, "invite")
    token = invitation_token(email)
    password = secrets.token_urlsafe(18) + "-Tb1"
    joined = http("POST", "/api/v1/auth/accept-invite", {"token": token, "password": password, "name": role.title()})
    return require(*joined, 200, f"accepting the invitation of {email}")["access_token"]


def invitation_token(email, timeout=WAIT):
    """The token of the invitation mailed to email."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(os.environ["INSA_MAIL_FILE"]) as mails:
                # quoted-printable soft line breaks may split the link
                text = mails.read().replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
        except FileNotFoundError:
            text = ""
        for mail in text.split("\n.\n"):
            if f"to: {email}" in mail.lower() and "accept-invite?token=" in mail:
                return re.search(r"accept-invite\?token=([A-Za-z0-9_\-.~%]+)", mail).group(1)
        time.sleep(0.2)
    raise RuntimeError(f"no invitation mail to {email}")


def create_device(token, name, device_type="sensor"):
    status, answer = http("POST", "/api/v1/devices", {"name": name, "type": device_type}, token)
    device = require(status, answer, 201, f"creating device {name}")
    return device["device"]["id"], device["access_token"]


def points(token, device_id, key):
    status, answer = http("GET", f"/api/v1/devices/{device_id}/telemetry?keys={key}", token=token)
    if status != 200:
        return -1
    return len((answer.get("series") or {}).get(key) or [])


def wait_points(token, device_id, key, expected, timeout=5):
    """The number of stored points of the key once it reaches expected, or when the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        count = points(token, device_id, key)
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def attributes(token, device_id, scope):
    status, answer = http("GET", f"/api/v1/devices/{device_id}/attributes?scope={scope}", token=token)
    return (answer or {}).get(scope) if status == 200 else answer


def patch_shared(token, device_id, values):
    return http("PATCH", f"/api/v1/devices/{device_id}/attributes/shared", values, token)


class Command(threading.Thread):
    """A server-side command sent through the REST API in the background (it waits for the answer)."""

    def __init__(self, token, device_id, method, params, timeout_ms=8000):
        super().__init__(daemon=True)
        self.args = (token, device_id, {"method": method, "params": params, "timeout_ms": timeout_ms})
        self.result = None
        self.start()

    def run(self):
        token, device_id, body = self.args
        self.result = http("POST", f"/api/v1/devices/{device_id}/commands", body, token, timeout=WAIT + 5)

    def outcome(self):
        self.join(WAIT + 5)
        return self.result or ("no answer", None)


# --- MQTT clients as ThingsBoard's SDKs set them up --------------------------------------------------

DEVICE_TOPICS = [
    "v1/devices/me/attributes",
    "v1/devices/me/attributes/response/+",
    "v1/devices/me/rpc/request/+",
    "v1/devices/me/rpc/response/+",
]
GATEWAY_TOPICS = ["v1/gateway/attributes", "v1/gateway/attributes/response", "v1/gateway/rpc"]


def code(value):
    """An int from a paho 1.6 result: an int (MQTT 3.1.1) or a ReasonCodes (MQTT 5)."""
    return value if isinstance(value, int) else value.value


def reason(value):
    """A CONNACK code as hex with its name, e.g. 0x85 (Client identifier not valid)."""
    if value < 0x80:
        return f"{value:#04x} ({mqtt.connack_string(value)})" if value else "0x00 (Success)"
    return f"{value:#04x} ({mqtt.ReasonCodes(mqtt.CONNACK >> 4, identifier=value).getName()})"


def connack_seen(connack):
    return f"CONNACK {reason(connack[0])}" if connack else f"no CONNACK within {WAIT} s"


class TbClient:
    """A paho client as TBDeviceMqttClient (and, with gateway=True, TBGatewayMqttClient) makes it:
    empty client id, MQTT 5 unless told otherwise, keepalive 120, QoS 1; on every connect it
    subscribes to the device-bound topics one by one and asks for getSessionLimits."""

    def __init__(self, token, protocol=mqtt.MQTTv5, gateway=False):
        self.topics = DEVICE_TOPICS + (GATEWAY_TOPICS if gateway else [])
        self.lock = threading.Condition()
        self.inbox = []
        self.connacks = []  # (reason code, assigned client id) of every CONNACK
        self.granted = {}  # topic -> granted QoS or failure code
        self.pending_subscriptions = {}
        self.disconnects = 0
        self.rpc_id = 0
        self.client = mqtt.Client(client_id="", protocol=protocol)
        self.client.username_pw_set(token)
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect

    def connect(self):
        self.client.connect(MQTT_HOST, MQTT_PORT, keepalive=120)
        self.client.loop_start()
        return self.wait_connack(1)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, client, userdata, flags, rc, properties=None):
        assigned = getattr(properties, "AssignedClientIdentifier", None) if properties else None
        with self.lock:
            self.connacks.append((code(rc), assigned))
            self.lock.notify_all()
        if code(rc) != 0:
            return
        for topic in self.topics:
            _, mid = client.subscribe(topic, qos=1)
            with self.lock:
                self.pending_subscriptions[mid] = topic
        client.publish(f"v1/devices/me/rpc/request/{self.next_rpc_id()}",
                       json.dumps({"method": "getSessionLimits", "params": {}}), qos=1)

    def next_rpc_id(self):
        with self.lock:
            self.rpc_id += 1
            return self.rpc_id

    def _on_subscribe(self, client, userdata, mid, granted, properties=None):
        with self.lock:
            self.granted[self.pending_subscriptions.pop(mid, mid)] = [code(g) for g in granted][0]
            self.lock.notify_all()

    def _on_message(self, client, userdata, message):
        with self.lock:
            self.inbox.append((message.topic, parse(message.payload)))
            self.lock.notify_all()

    def _on_disconnect(self, client, userdata, rc, properties=None):
        with self.lock:
            self.disconnects += 1
            self.lock.notify_all()

    def wait_connack(self, count, timeout=WAIT):
        """The count-th CONNACK as (reason code, assigned client id), or None when it did not come."""
        with self.lock:
            self.lock.wait_for(lambda: len(self.connacks) >= count, timeout)
            return self.connacks[count - 1] if len(self.connacks) >= count else None

    def wait_subscribed(self, timeout=WAIT):
        with self.lock:
            self.lock.wait_for(lambda: len(self.granted) >= len(self.topics), timeout)
            return dict(self.granted)

    def publish(self, topic, payload, qos=1):
        """Publishes and, for QoS 1, waits for the PUBACK; answers whether it was acknowledged."""
        info = self.client.publish(topic, json.dumps(payload), qos=qos)
        if qos == 0:
            return info.rc == mqtt.MQTT_ERR_SUCCESS
        try:
            info.wait_for_publish(timeout=WAIT)
        except (RuntimeError, ValueError):  # not connected, or not queued
            return False
        return info.is_published()

    def expect(self, topic, timeout=WAIT):
        """The next message (topic, payload) on topic (a name, or a predicate on the name), or None
        when none came within the timeout; it is taken from the inbox."""
        matches = topic if callable(topic) else (lambda t: t == topic)

        def take():
            for i, (t, payload) in enumerate(self.inbox):
                if matches(t):
                    del self.inbox[i]
                    return t, payload
            return None

        with self.lock:
            found = None

            def arrived():
                nonlocal found
                found = take()
                return found is not None

            self.lock.wait_for(arrived, timeout)
            return found

    def drop_connection(self):
        """Cuts the TCP connection without a DISCONNECT, as a lost network does."""
        sock = self.client.socket()
        if sock:
            sock.shutdown(socket.SHUT_RDWR)


# --- flows -------------------------------------------------------------------------------------------


def mqtt_device_flow(operator, protocol, label):
    """TBDeviceMqttClient against one device: what it sends and everything that comes back to it."""
    device_id, token = create_device(operator, f"tb-{label}")
    device = TbClient(token, protocol)
    connack = device.connect()
    if not check(f"{label} connect (empty client id, keepalive 120)", connack and connack[0] == 0,
                 connack_seen(connack)):
        device.close()
        return
    if protocol == mqtt.MQTTv5:
        # MQTT 5 (3.2.2.3.7): a server that accepts an empty client id names the one it assigned
        check(f"{label} assigned client id in CONNACK", bool(connack[1]), f"Assigned Client Identifier {connack[1]!r}")
    granted = device.wait_subscribed()
    check(f"{label} subscriptions", granted == {t: 1 for t in DEVICE_TOPICS}, f"granted {granted}")
    limits = device.expect("v1/devices/me/rpc/response/1")
    check(f"{label} getSessionLimits", limits is not None and "maxPayloadSize" in (limits[1] or {}),
          f"answer {limits}")

    acked = all(device.publish("v1/devices/me/telemetry", {"temperature": 20 + i}) for i in range(3))
    stored = wait_points(operator, device_id, "temperature", 3)
    check(f"{label} telemetry without timestamps", acked and stored == 3,
          f"PUBACKs {'all' if acked else 'missing'}, {stored} points stored of 3")

    acked = device.publish("v1/devices/me/attributes", {"firmware": "1.4.2", "slots": 4})
    client = attributes(operator, device_id, "client")
    check(f"{label} client attributes", acked and client == {"firmware": "1.4.2", "slots": 4},
          f"client attributes {client}")

    status, _ = patch_shared(operator, device_id, {"interval_s": 5})
    update = device.expect("v1/devices/me/attributes")
    check(f"{label} shared attribute update", status == 200 and update
          and update[1] == {"interval_s": 5}, f"PATCH {status}, device got {update}")

    device.publish("v1/devices/me/attributes/request/1", {"clientKeys": "firmware", "sharedKeys": "interval_s"})
    answer = device.expect("v1/devices/me/attributes/response/1")
    expected = {"client": {"firmware": "1.4.2"}, "shared": {"interval_s": 5}}
    check(f"{label} attribute request", answer is not None and answer[1] == expected, f"answer {answer}")

    command = Command(operator, device_id, "setValve", {"open": True})
    request = device.expect(lambda t: t.startswith("v1/devices/me/rpc/request/"))
    if request:
        request_id = request[0].rsplit("/", 1)[1]
        device.publish(f"v1/devices/me/rpc/response/{request_id}", {"valve": "open"})
    status, answer = command.outcome()
    check(f"{label} server-side command", request is not None and status == 200
          and (answer or {}).get("response") == {"valve": "open"},
          f"device got {request}, API answered {status} {answer}")

    rpc_id = device.next_rpc_id()
    device.publish(f"v1/devices/me/rpc/request/{rpc_id}", {"method": "getSchedule", "params": {}})
    answer = device.expect(f"v1/devices/me/rpc/response/{rpc_id}")
    check(f"{label} client-side RPC (client_rpc rule)",
          answer is not None and answer[1] == {"start": "06:00", "stop": "22:00"}, f"answer {answer}")

    # as the SDK with quality_of_service=0 sends; a refused QoS 0 message has no answer to carry the
    # refusal, and the connection stays open
    device.publish("v1/devices/me/no-such-topic", {"qos0": -1}, qos=0)
    sent = all(device.publish("v1/devices/me/telemetry", {"qos0": i}, qos=0) for i in range(2))
    stored = wait_points(operator, device_id, "qos0", 2)
    check(f"{label} QoS 0 telemetry", sent and stored == 2 and device.disconnects == 0,
          f"{stored} points stored of 2, {device.disconnects} disconnects (after a QoS 0 message to a topic"
          " the platform does not take)")

    # the SDK reconnects on its own after a lost connection: with the same empty client id and, in
    # MQTT 5, Clean Start 0 (paho's default: a clean start on the first connect only)
    connected_before = len(device.connacks)
    device.drop_connection()
    connack = device.wait_connack(connected_before + 1)
    ok = connack is not None and connack[0] == 0
    if ok:
        acked = device.publish("v1/devices/me/telemetry", {"temperature": 30})
        ok = acked and wait_points(operator, device_id, "temperature", 4) == 4
    check(f"{label} reconnect after a dropped connection", ok,
          connack_seen(connack) + (", telemetry stored after it" if ok else ""))
    device.close()


def gateway_flow(operator):
    """TBGatewayMqttClient: a sub-device connected through it, its data, attributes and commands."""
    _, token = create_device(operator, "tb-gateway", "gateway")
    gateway = TbClient(token, gateway=True)
    connack = gateway.connect()
    if not check("gateway connect", connack and connack[0] == 0, connack_seen(connack)):
        gateway.close()
        return
    granted = gateway.wait_subscribed()
    check("gateway subscriptions", granted == {t: 1 for t in DEVICE_TOPICS + GATEWAY_TOPICS},
          f"granted {granted}")

    sub = "Boiler A"
    gateway.publish("v1/gateway/connect", {"device": sub, "type": "boiler"})
    status, found = http("GET", "/api/v1/devices?name=" + urllib.parse.quote(sub), token=operator)
    items = (found or {}).get("items") or [] if status == 200 else []
    if not check("gateway connects a sub-device", len(items) == 1 and items[0].get("connected"),
                 f"GET /api/v1/devices?name= answered {status}, {items}"):
        gateway.close()
        return
    sub_id = items[0]["id"]

    now = int(time.time() * 1000)
    acked = gateway.publish("v1/gateway/telemetry",
                            {sub: [{"ts": now - 1000, "values": {"heat": 71}}, {"ts": now, "values": {"heat": 72}}]})
    stored = wait_points(operator, sub_id, "heat", 2)
    check("gateway sub-device telemetry", acked and stored == 2, f"{stored} points stored of 2")

    gateway.publish("v1/gateway/attributes", {sub: {"fw": "3.1"}})
    client = attributes(operator, sub_id, "client")
    check("gateway sub-device attributes", client == {"fw": "3.1"}, f"client attributes {client}")

    status, _ = patch_shared(operator, sub_id, {"target_c": 21})
    update = gateway.expect("v1/gateway/attributes")
    check("gateway shared attribute update", status == 200 and update is not None
          and update[1] == {"device": sub, "data": {"target_c": 21}}, f"PATCH {status}, gateway got {update}")

    gateway.publish("v1/gateway/attributes/request", {"id": 1, "device": sub, "client": False, "keys": ["target_c"]})
    answer = gateway.expect("v1/gateway/attributes/response")
    check("gateway attribute request (keys)", answer is not None
          and answer[1] == {"id": 1, "device": sub, "values": {"target_c": 21}}, f"answer {answer}")
    gateway.publish("v1/gateway/attributes/request", {"id": 2, "device": sub, "client": True, "key": "fw"})
    answer = gateway.expect("v1/gateway/attributes/response")
    check("gateway attribute request (key)", answer is not None
          and answer[1] == {"id": 2, "device": sub, "value": "3.1"}, f"answer {answer}")

    command = Command(operator, sub_id, "setBurner", {"on": True})
    request = gateway.expect("v1/gateway/rpc")
    data = (request[1] or {}).get("data") or {} if request else {}
    if request:
        gateway.publish("v1/gateway/rpc", {"device": sub, "id": data.get("id"), "data": {"success": True}})
    status, answer = command.outcome()
    check("gateway command to a sub-device", request is not None and request[1].get("device") == sub
          and data.get("method") == "setBurner" and status == 200
          and (answer or {}).get("response") == {"success": True},
          f"gateway got {request}, API answered {status} {answer}")

    gateway.publish("v1/gateway/disconnect", {"device": sub})
    status, answer = http("POST", f"/api/v1/devices/{sub_id}/commands", {"method": "setBurner"}, operator)
    check("gateway sub-device disconnected: command refused", status == 409, f"API answered {status} {answer}")
    gateway.close()


def http_device_flow(operator):
    """TBHTTPDevice: its connect (telemetry {}), data, attribute reads and the RPC long poll."""
    device_id, token = create_device(operator, "tb-http")
    api = f"/api/v1/{token}"
    status, answer = http("POST", f"{api}/telemetry", {})
    check("http connect (telemetry {})", status == 200, f"answered {status} {answer or ''}")

    status, answer = http("POST", f"{api}/telemetry", {"temperature": 21.5})
    stored = wait_points(operator, device_id, "temperature", 1)
    check("http telemetry", status == 200 and stored == 1, f"answered {status}, {stored} points stored of 1")

    status, answer = http("POST", f"{api}/attributes", {"firmware": "2.0"})
    check("http client attributes", status == 200, f"answered {status} {answer or ''}")
    patch_shared(operator, device_id, {"interval_s": 7})
    status, answer = http("GET", f"{api}/attributes?clientKeys=firmware&sharedKeys=interval_s")
    check("http attribute request", status == 200
          and answer == {"client": {"firmware": "2.0"}, "shared": {"interval_s": 7}}, f"answered {status} {answer}")

    status, answer = http("GET", f"{api}/rpc?timeout=1000")
    check("http RPC poll with nothing to deliver", status == 408, f"answered {status} {answer or ''}")

    poll = {}
    poller = threading.Thread(target=lambda: poll.update(r=http("GET", f"{api}/rpc?timeout=8000", timeout=WAIT)),
                              daemon=True)
    poller.start()
    time.sleep(0.5)  # the poll is waiting before the command goes out: commands are not queued
    command = Command(operator, device_id, "setInterval", {"s": 10})
    poller.join(WAIT + 1)
    status, request = poll.get("r", ("no answer", None))
    answered = None
    if status == 200 and isinstance(request, dict) and "id" in request:
        answered = http("POST", f"{api}/rpc/{request['id']}", {"interval": 10})[0]
    command_status, answer = command.outcome()
    check("http RPC poll and answer", status == 200 and (request or {}).get("method") == "setInterval"
          and command_status == 200 and (answer or {}).get("response") == {"interval": 10},
          f"poll answered {status} {request}, the answer was taken with {answered}, "
          f"API answered {command_status} {answer}")


def setup():
    """A tenant with an admin and an operator, and the admin's client_rpc rule for getSchedule."""
    sysadmin = login("admin@localhost", open(os.environ["INSA_ADMIN_PASSWORD_FILE"]).read().strip())
    status, tenant = http("POST", "/api/v1/tenants", {"name": "ThingsBoard clients", "slug": "tb-clients"}, sysadmin)
    tenant_id = require(status, tenant, 201, "creating the tenant")["id"]
    admin = tenant_member(sysadmin, tenant_id, "admin@tb-clients.example", "admin")
    operator = tenant_member(sysadmin, tenant_id, "operator@tb-clients.example", "operator")
    rule = {"name": "schedule", "severity": "minor", "key": "getSchedule", "condition": {"type": "client_rpc"},
            "actions": [{"type": "rpc_reply", "response": {"start": "06:00", "stop": "22:00"}}]}
    require(*http("POST", "/api/v1/rules", rule, admin), 201, "creating the client_rpc rule")
    return admin, operator


def main():
    try:
        _, operator = setup()
    except Exception as error:  # nothing to drive without them
        check("setup (tenant, admin, operator, client_rpc rule)", False, repr(error))
        return 1
    flows = [
        ("MQTT 5 device", lambda: mqtt_device_flow(operator, mqtt.MQTTv5, "mqtt5")),
        ("MQTT 3.1.1 device", lambda: mqtt_device_flow(operator, mqtt.MQTTv311, "mqtt311")),
        ("gateway", lambda: gateway_flow(operator)),
        ("HTTP device", lambda: http_device_flow(operator)),
    ]
    for name, flow in flows:
        try:
            flow()
        except Exception as error:  # a flow that broke off is a failure, and the next still runs
            check(name, False, f"stopped: {error!r}")
    print(f"{len(failures)} check(s) failed: {', '.join(failures)}" if failures else "all checks passed",
          flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
