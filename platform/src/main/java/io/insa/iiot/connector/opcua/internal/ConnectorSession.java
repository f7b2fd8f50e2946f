package io.insa.iiot.connector.opcua.internal;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.command.CommandChannels;
import io.insa.iiot.command.Commands;
import io.insa.iiot.command.DeviceCommand;
import io.insa.iiot.connector.opcua.ClientCertificates;
import io.insa.iiot.connector.opcua.ConnectorAddresses;
import io.insa.iiot.connector.opcua.OpcUaConnector;
import io.insa.iiot.connector.opcua.OpcUaSessions;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.Devices;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.ingest.IngestResult;
import io.insa.iiot.shared.Certificates;
import io.insa.iiot.shared.OutboundAddresses;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.milo.opcua.sdk.client.DiscoveryClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClientConfig;
import org.eclipse.milo.opcua.sdk.client.SessionActivityListener;
import org.eclipse.milo.opcua.sdk.client.UaSession;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.identity.IdentityProvider;
import org.eclipse.milo.opcua.sdk.client.identity.UsernameProvider;
import org.eclipse.milo.opcua.sdk.client.identity.X509IdentityProvider;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.transport.TransportProfile;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseDirection;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseResultMask;
import org.eclipse.milo.opcua.stack.core.types.enumerated.DataChangeTrigger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.DeadbandType;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseResult;
import org.eclipse.milo.opcua.stack.core.types.structured.DataChangeFilter;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One connector's session with its OPC UA server: connects (on a virtual thread; Milo's own I/O is
 * asynchronous, so no thread is held per connection), subscribes to the mapped nodes, turns their
 * values into device messages for the ingest pipeline every 100 ms, and on any loss reconnects with
 * exponential backoff (1 s doubling to 60 s, with jitter), re-creating the subscription.
 *
 * <p>Every attempt judges the endpoint's address again and connects to exactly the judged address,
 * whatever host the server advertises in its endpoints. A failure is shown as a category only (the
 * constants below); its details go to the operator's log, never to the tenant.
 */
final class ConnectorSession {

    private static final Logger log = LoggerFactory.getLogger(ConnectorSession.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long MAX_BACKOFF_MILLIS = 60_000;
    static final String DEVICE_TYPE = "opcua";

    /** The endpoint's address is refused by the address policy (its DNS answer changed since it was written). */
    static final String ADDRESS_NOT_ALLOWED = "address_not_allowed";
    /**
     * No OPC UA server answered discovery at the endpoint: closed, filtered, not OPC UA, gone, or a name that does not
     * resolve. One category for all, so that connectors are no port scanner.
     */
    static final String REFUSED = "refused";
    /** An OPC UA server answered discovery, then did not answer a request in time. */
    static final String TIMEOUT = "timeout";
    /**
     * Security: the server certificate is not trusted, no endpoint has the policy and mode, or the server refused the
     * tenant's certificate or login.
     */
    static final String SECURITY = "security";
    /** Any other failure of an OPC UA server that answered discovery. */
    static final String PROTOCOL = "protocol";

    /** The parts every session shares. */
    record Context(
            ClientCertificates certificates,
            ConnectorAddresses addresses,
            Devices devices,
            Ingest ingest,
            CommandChannels channels,
            Commands commands,
            ScheduledExecutorService scheduler,
            ExecutorService work,
            boolean autoAcceptCertificates) {}

    private record Value(String key, Instant ts, Object value, boolean uncertain) {}

    private final Context context;
    private final OpcUaConnector connector;
    private final Map<String, List<Value>> pending = new LinkedHashMap<>();
    private final Map<String, DeviceIdentity> devicesByName = new ConcurrentHashMap<>();
    private final Map<String, String> badItems = new ConcurrentHashMap<>();
    private final List<CommandChannels.Registration> registrations = new ArrayList<>();
    private volatile String state = "connecting";
    private volatile String lastError;
    private volatile Instant connectedSince;
    private volatile Instant lastValueAt;
    private volatile double valuesPerSecond;
    private volatile int monitoredItems;
    private volatile OpcUaSessions.Certificate seenCertificate;
    private volatile OpcUaClient client;
    private volatile ClientCertificates.Issued certificate;
    private volatile boolean closed;
    private int attempt;
    private long valuesThisSecond;
    private long secondStarted = System.nanoTime();
    private ScheduledFuture<?> retry;
    private ScheduledFuture<?> flusher;

    ConnectorSession(Context context, OpcUaConnector connector) {
        this.context = context;
        this.connector = connector;
    }

    OpcUaConnector connector() {
        return connector;
    }

    synchronized void start() {
        if (!connector.enabled()) {
            state = "disabled";
            return;
        }
        flusher = context.scheduler().scheduleWithFixedDelay(this::flushSoon, 100, 100, TimeUnit.MILLISECONDS);
        context.work().submit(this::connect);
    }

    synchronized void stop() {
        closed = true;
        if (retry != null) {
            retry.cancel(false);
        }
        if (flusher != null) {
            flusher.cancel(false);
        }
        registrations.forEach(CommandChannels.Registration::close);
        registrations.clear();
        disconnect();
        state = connector.enabled() ? "disconnected" : "disabled";
    }

    OpcUaSessions.Status status() {
        return new OpcUaSessions.Status(
                state,
                lastError,
                connectedSince,
                lastValueAt,
                Math.round(valuesPerSecond * 10) / 10.0,
                monitoredItems,
                badItems.entrySet().stream()
                        .map(e -> new OpcUaSessions.BadItem(e.getKey(), e.getValue()))
                        .sorted(java.util.Comparator.comparing(OpcUaSessions.BadItem::nodeId))
                        .toList());
    }

    Optional<OpcUaSessions.Certificate> seenCertificate() {
        return Optional.ofNullable(seenCertificate);
    }

    // ------------------------------------------------------------------ connecting

    private void connect() {
        if (closed) {
            return;
        }
        state = "connecting";
        OpcUaClient created = null;
        try {
            certificate = context.certificates().of(connector.tenant());
            EndpointDescription endpoint = endpoint(pinned());
            created = OpcUaClient.create(configure(endpoint));
            created.connect();
            OpcUaClient connected = created;
            created.addSessionActivityListener(new SessionActivityListener() {
                @Override
                public void onSessionInactive(UaSession session) {
                    if (client == connected) {
                        lost(REFUSED, "the session with the server was lost");
                    }
                }
            });
            client = created;
            subscribe(created);
            synchronized (this) {
                attempt = 0;
            }
            connectedSince = Instant.now();
            lastError = null;
            state = "connected";
            log.info("OPC UA connector {} connected to {}", connector.id(), connector.endpointUrl());
        } catch (Failure e) {
            lost(e.category, e.getMessage());
        } catch (Exception e) {
            if (created != null) {
                OpcUaClient failed = created;
                context.work().submit(() -> quietly(failed));
            }
            lost(category(e), reason(e));
        }
    }

    /** A failed attempt whose category is known where it happened. */
    private static final class Failure extends Exception {
        final String category;

        Failure(String category, String detail) {
            super(detail, null, false, false);
            this.category = category;
        }
    }

    /** The endpoint's address, judged again for this attempt: the connection goes there and nowhere else. */
    private InetSocketAddress pinned() throws Failure {
        try {
            return context.addresses().pin(connector.tenant(), URI.create(connector.endpointUrl()));
        } catch (OutboundAddresses.RefusedAddressException e) {
            throw new Failure(ADDRESS_NOT_ALLOWED, e.getMessage());
        } catch (UnknownHostException e) {
            throw new Failure(REFUSED, "the host does not resolve");
        }
    }

    /**
     * The server's endpoint of the connector's policy and mode, reached at the pinned address: the URL the server
     * advertises is replaced, so a server cannot send the platform on to another host.
     */
    private EndpointDescription endpoint(InetSocketAddress pinned) throws Exception {
        String url = ConnectorAddresses.pinnedUrl(URI.create(connector.endpointUrl()), pinned);
        List<EndpointDescription> endpoints;
        try {
            endpoints = DiscoveryClient.getEndpoints(url).get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new Failure(REFUSED, "discovery failed: " + reason(e));
        }
        String policyUri = SecurityPolicy.valueOf(connector.securityPolicy()).getUri();
        MessageSecurityMode mode = MessageSecurityMode.valueOf(connector.securityMode());
        String binary = TransportProfile.TCP_UASC_UABINARY.getUri();
        EndpointDescription chosen = endpoints.stream()
                .filter(e -> policyUri.equals(e.getSecurityPolicyUri()) && e.getSecurityMode() == mode)
                .filter(e -> e.getTransportProfileUri() == null
                        || e.getTransportProfileUri().isEmpty()
                        || binary.equals(e.getTransportProfileUri()))
                .findFirst()
                .orElseThrow(() -> new UaException(
                        StatusCodes.Bad_SecurityPolicyRejected,
                        "the server offers no endpoint with security policy " + connector.securityPolicy()
                                + " and mode " + connector.securityMode()));
        if (chosen.getServerCertificate() != null
                && chosen.getServerCertificate().isNotNull()) {
            seenCertificate = describe(chosen.getServerCertificate().bytesOrEmpty());
        }
        if (mode != MessageSecurityMode.None && !context.autoAcceptCertificates()) {
            OpcUaSessions.Certificate seen = seenCertificate;
            if (seen == null || !seen.thumbprint().equalsIgnoreCase(String.valueOf(connector.trustedThumbprint()))) {
                throw new UaException(
                        StatusCodes.Bad_CertificateUntrusted,
                        "the server certificate " + (seen == null ? "(none)" : seen.thumbprint())
                                + " is not trusted: a tenant admin trusts it with POST .../trust-server-certificate");
            }
        }
        return new EndpointDescription(
                url,
                chosen.getServer(),
                chosen.getServerCertificate(),
                chosen.getSecurityMode(),
                chosen.getSecurityPolicyUri(),
                chosen.getUserIdentityTokens(),
                binary,
                chosen.getSecurityLevel());
    }

    private OpcUaClientConfig configure(EndpointDescription endpoint) {
        OpcUaSessions.Certificate trusted = seenCertificate;
        CertificateValidator validator = (chain, applicationUri, hostnames) -> {
            if (context.autoAcceptCertificates()) {
                return;
            }
            OpcUaSessions.Certificate presented = describe(chain.getFirst());
            if (trusted == null || !presented.thumbprint().equalsIgnoreCase(trusted.thumbprint())) {
                throw new UaException(StatusCodes.Bad_CertificateUntrusted, "the server presented another certificate");
            }
        };
        return OpcUaClientConfig.builder()
                .setApplicationName(LocalizedText.english("INSA IIoT Platform"))
                .setApplicationUri(certificate.applicationUri())
                .setProductUri("urn:insa:iiot")
                .setKeyPair(certificate.keyPair())
                .setCertificate(certificate.certificate())
                .setCertificateChain(new X509Certificate[] {certificate.certificate()})
                .setCertificateValidator(validator)
                .setIdentityProvider(identity())
                .setRequestTimeout(uint(10_000))
                .setEndpoint(endpoint)
                .build();
    }

    private IdentityProvider identity() {
        return switch (connector.auth().type()) {
            case "username" ->
                new UsernameProvider(
                        connector.auth().username(), connector.auth().password());
            case "certificate" ->
                new X509IdentityProvider(
                        certificate.certificate(), certificate.keyPair().getPrivate());
            default -> new AnonymousProvider();
        };
    }

    private void subscribe(OpcUaClient connected) throws UaException {
        OpcUaSubscription subscription = new OpcUaSubscription(connected, (double) connector.publishingIntervalMs());
        subscription.create();
        List<OpcUaMonitoredItem> items = new ArrayList<>();
        badItems.clear();
        for (OpcUaConnector.Mapping mapping : connector.mappings()) {
            NodeId nodeId = NodeId.parseOrNull(mapping.nodeId());
            if (nodeId == null) {
                badItems.put(mapping.nodeId(), "Bad_NodeIdInvalid");
                continue;
            }
            OpcUaMonitoredItem item = OpcUaMonitoredItem.newDataItem(nodeId);
            item.setSamplingInterval(mapping.samplingIntervalMs());
            if (mapping.deadband() != null) {
                DeadbandType type =
                        mapping.deadband().type().equals("percent") ? DeadbandType.Percent : DeadbandType.Absolute;
                item.setFilter(new DataChangeFilter(
                        DataChangeTrigger.StatusValue,
                        uint(type.getValue()),
                        mapping.deadband().value()));
            }
            item.setDataValueListener((monitored, value) -> received(mapping, value));
            items.add(item);
        }
        subscription.addMonitoredItems(items);
        subscription.createMonitoredItems();
        int good = 0;
        for (int i = 0; i < items.size(); i++) {
            StatusCode result = items.get(i).getCreateResult().orElse(StatusCode.GOOD);
            if (result.isBad()) {
                badItems.put(items.get(i).getReadValueId().getNodeId().toParseableString(), name(result));
            } else {
                good++;
            }
        }
        monitoredItems = good;
    }

    /**
     * Closes this client and tries again after the backoff; the tenant sees the category, the operator's log the
     * detail.
     */
    private void lost(String category, String detail) {
        if (closed) {
            return;
        }
        lastError = category;
        state = connectedSince != null && client != null ? "disconnected" : "error";
        connectedSince = null;
        OpcUaClient old = client;
        client = null;
        if (old != null) {
            context.work().submit(() -> quietly(old));
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            long base = Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(attempt, 6));
            long delay = (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
            attempt++;
            if (retry != null) {
                retry.cancel(false);
            }
            retry = context.scheduler()
                    .schedule(() -> context.work().submit(this::connect), delay, TimeUnit.MILLISECONDS);
            log.info("OPC UA connector {}: {} ({}); next try in {} ms", connector.id(), category, detail, delay);
        }
    }

    private void disconnect() {
        OpcUaClient old = client;
        client = null;
        if (old != null) {
            quietly(old);
        }
    }

    private static void quietly(OpcUaClient client) {
        try {
            client.disconnect();
        } catch (Exception e) {
            // already gone
        }
    }

    // ------------------------------------------------------------------ values

    /** On Milo's delivery thread: keep it short, the rest happens at the next flush. */
    private void received(OpcUaConnector.Mapping mapping, DataValue value) {
        StatusCode status = value.getStatusCode() == null ? StatusCode.GOOD : value.getStatusCode();
        if (status.isBad()) {
            badItems.put(mapping.nodeId(), name(status));
            return;
        }
        Object plain = plain(value.getValue(), mapping);
        if (plain == null) {
            badItems.put(mapping.nodeId(), "Bad_TypeMismatch: arrays and structures are not mapped");
            return;
        }
        badItems.remove(mapping.nodeId());
        Instant ts = value.getSourceTime() != null && value.getSourceTime().isValid()
                ? value.getSourceTime().getJavaInstant()
                : value.getServerTime() != null && value.getServerTime().isValid()
                        ? value.getServerTime().getJavaInstant()
                        : Instant.now();
        synchronized (pending) {
            pending.computeIfAbsent(mapping.deviceName(), d -> new ArrayList<>())
                    .add(new Value(mapping.key(), ts, plain, status.isUncertain()));
        }
        lastValueAt = Instant.now();
        count();
    }

    private synchronized void count() {
        valuesThisSecond++;
        long now = System.nanoTime();
        if (now - secondStarted >= 1_000_000_000L) {
            double seconds = (now - secondStarted) / 1e9;
            valuesPerSecond = valuesThisSecond / seconds;
            valuesThisSecond = 0;
            secondStarted = now;
        }
    }

    private static Object plain(Variant variant, OpcUaConnector.Mapping mapping) {
        Object v = variant == null ? null : variant.getValue();
        if (v == null || v.getClass().isArray()) {
            return null;
        }
        if (v instanceof Boolean || v instanceof String) {
            return v;
        }
        if (v instanceof Number n) {
            double scaled = n.doubleValue() * mapping.scale() + mapping.offset();
            boolean integral =
                    !(v instanceof Float || v instanceof Double) && mapping.scale() == 1.0 && mapping.offset() == 0.0;
            return integral ? (Object) n.longValue() : (Object) scaled;
        }
        if (v instanceof org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UNumber u) {
            return u.longValue() * mapping.scale() + mapping.offset();
        }
        return null;
    }

    private void flushSoon() {
        boolean any;
        synchronized (pending) {
            any = !pending.isEmpty();
        }
        if (any) {
            context.work().submit(this::flush);
        }
    }

    /** One message per device with the values gathered since the last flush, through the ingest pipeline. */
    private void flush() {
        Map<String, List<Value>> batch;
        synchronized (pending) {
            if (pending.isEmpty()) {
                return;
            }
            batch = new LinkedHashMap<>(pending);
            pending.clear();
        }
        batch.forEach((deviceName, values) -> {
            DeviceIdentity device;
            try {
                device = device(deviceName);
            } catch (RuntimeException e) {
                lastError = "values of device '" + deviceName + "' not stored: " + e.getMessage();
                return;
            }
            List<Map<String, Object>> messages = new ArrayList<>(values.size());
            Map<String, String> quality = new LinkedHashMap<>();
            for (Value v : values) {
                messages.add(Map.of("ts", v.ts().toEpochMilli(), "values", Map.of(v.key(), v.value())));
                quality.put(v.key() + ".quality", v.uncertain() ? "uncertain" : "good");
            }
            context.ingest().telemetry(device, JSON.writeValueAsBytes(messages)).thenAccept(result -> {
                switch (result) {
                    case IngestResult.Accepted accepted -> {}
                    case IngestResult.Rejected rejected ->
                        lastError = "values of device '" + deviceName + "' not stored: " + rejected.reason() + ": "
                                + rejected.detail();
                    case IngestResult.Failed failed ->
                        lastError =
                                "values of device '" + deviceName + "' not stored (retry later): " + failed.detail();
                }
            });
            if (quality.containsValue("uncertain")) {
                context.ingest().attributes(device, JSON.writeValueAsBytes(quality));
            }
        });
    }

    /** The mapped device, created on first value within the tenant's max_devices; it takes write commands. */
    private DeviceIdentity device(String name) {
        DeviceIdentity known = devicesByName.get(name);
        if (known != null) {
            return known;
        }
        DeviceIdentity device = context.devices()
                .namedDevice(
                        connector.tenant(),
                        name,
                        DEVICE_TYPE,
                        new AuditEvent.Actor(
                                "system", connector.id().toString(), "OPC UA connector " + connector.name()));
        devicesByName.put(name, device);
        synchronized (this) {
            if (!closed) {
                registrations.add(context.channels().register(device.deviceId(), command -> write(device, command)));
            }
        }
        return device;
    }

    // ------------------------------------------------------------------ commands and browse

    /** {"method": "write", "params": {"key": "setpoint", "value": 42}} becomes a write to the mapped node. */
    private void write(DeviceIdentity device, DeviceCommand command) {
        context.work().submit(() -> {
            String answer;
            try {
                answer = JSON.writeValueAsString(Map.of("status_code", writeNow(device, command)));
            } catch (RuntimeException e) {
                answer = JSON.writeValueAsString(Map.of("status_code", "Bad_UnexpectedError", "error", e.getMessage()));
            }
            context.commands().respond(device.deviceId(), command.id(), answer);
        });
    }

    private String writeNow(DeviceIdentity device, DeviceCommand command) {
        if (!"write".equals(command.method())) {
            return "Bad_MethodInvalid: only the method write is mapped to OPC UA";
        }
        JsonNode params = JSON.readTree(command.params());
        String key = params.path("key").asString("");
        OpcUaConnector.Mapping mapping = connector.mappings().stream()
                .filter(m -> m.deviceName().equals(device.name()) && m.key().equals(key))
                .findFirst()
                .orElse(null);
        if (mapping == null) {
            return "Bad_NodeIdUnknown: no mapping of key '" + key + "' for this device";
        }
        OpcUaClient connected = client;
        if (connected == null) {
            return "Bad_NotConnected";
        }
        JsonNode value = params.path("value");
        Object plain = value.isBoolean()
                ? (Object) value.asBoolean()
                : value.isIntegralNumber()
                        ? (Object) value.asLong()
                        : value.isNumber() ? (Object) value.asDouble() : value.asString();
        try {
            Object typed = typed(connected, NodeId.parse(mapping.nodeId()), plain, mapping);
            StatusCode status = connected
                    .writeValues(List.of(NodeId.parse(mapping.nodeId())), List.of(new DataValue(new Variant(typed))))
                    .getFirst();
            return name(status);
        } catch (UaException e) {
            return name(e.getStatusCode());
        }
    }

    /** The value in the node's current Java type, with the mapping's scaling undone. */
    private static Object typed(OpcUaClient client, NodeId node, Object plain, OpcUaConnector.Mapping mapping)
            throws UaException {
        Object current = client.readValues(0, TimestampsToReturn.Neither, List.of(node))
                .getFirst()
                .getValue()
                .getValue();
        if (!(plain instanceof Number n) || current == null) {
            return plain;
        }
        double raw = (n.doubleValue() - mapping.offset()) / mapping.scale();
        return switch (current) {
            case Double d -> raw;
            case Float f -> (float) raw;
            case Integer i -> (int) Math.round(raw);
            case Long l -> Math.round(raw);
            case Short s -> (short) Math.round(raw);
            default -> plain;
        };
    }

    OpcUaSessions.Browsed browse(String nodeId) {
        OpcUaClient connected = client;
        if (connected == null) {
            return new OpcUaSessions.Browsed.Unavailable("the connector is not connected (" + state + ")");
        }
        NodeId parent = nodeId == null || nodeId.isBlank() ? NodeIds.ObjectsFolder : NodeId.parseOrNull(nodeId);
        if (parent == null) {
            return new OpcUaSessions.Browsed.InvalidNodeId();
        }
        try {
            List<ReferenceDescription> children = references(connected, parent);
            List<NodeId> ids = new ArrayList<>();
            for (ReferenceDescription r : children) {
                ids.add(r.getNodeId().toNodeId(connected.getNamespaceTable()).orElse(NodeId.NULL_VALUE));
            }
            List<BrowseResult> grandchildren = ids.isEmpty()
                    ? List.of()
                    : connected.browse(
                            ids.stream().map(ConnectorSession::children).toList());
            List<DataValue> dataTypes = new ArrayList<>();
            if (!ids.isEmpty()) {
                DataValue[] read = connected
                        .read(
                                0,
                                TimestampsToReturn.Neither,
                                ids.stream()
                                        .map(id -> new ReadValueId(
                                                id, AttributeId.DataType.uid(), null, QualifiedName.NULL_VALUE))
                                        .toList())
                        .getResults();
                if (read != null) {
                    dataTypes.addAll(List.of(read));
                }
            }
            List<OpcUaSessions.BrowsedNode> nodes = new ArrayList<>();
            for (int i = 0; i < children.size(); i++) {
                ReferenceDescription r = children.get(i);
                Object dataType =
                        i < dataTypes.size() && dataTypes.get(i).getStatusCode().isGood()
                                ? dataTypes.get(i).getValue().getValue()
                                : null;
                BrowseResult below = i < grandchildren.size() ? grandchildren.get(i) : null;
                nodes.add(new OpcUaSessions.BrowsedNode(
                        ids.get(i).toParseableString(),
                        r.getBrowseName().toParseableString(),
                        r.getDisplayName().getText(),
                        r.getNodeClass().name(),
                        dataType instanceof NodeId type ? type.toParseableString() : null,
                        below != null && below.getReferences() != null && below.getReferences().length > 0));
            }
            return new OpcUaSessions.Browsed.Children(nodes);
        } catch (UaException e) {
            return new OpcUaSessions.Browsed.Unavailable("browse failed: " + name(e.getStatusCode()));
        }
    }

    private static List<ReferenceDescription> references(OpcUaClient client, NodeId node) throws UaException {
        BrowseResult result = client.browse(children(node));
        return result.getReferences() == null ? List.of() : List.of(result.getReferences());
    }

    private static BrowseDescription children(NodeId node) {
        return new BrowseDescription(
                node,
                BrowseDirection.Forward,
                NodeIds.HierarchicalReferences,
                true,
                uint(0),
                uint(BrowseResultMask.All.getValue()));
    }

    // ------------------------------------------------------------------ helpers

    static OpcUaSessions.Certificate describe(byte[] der) {
        try {
            X509Certificate cert = (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            return describe(cert);
        } catch (Exception e) {
            throw new IllegalArgumentException("the server certificate cannot be read", e);
        }
    }

    static OpcUaSessions.Certificate describe(X509Certificate cert) {
        try {
            String thumbprint = Certificates.thumbprint(cert, "SHA-1");
            String pem = Certificates.pem(cert);
            return new OpcUaSessions.Certificate(
                    thumbprint,
                    cert.getSubjectX500Principal().getName(),
                    cert.getNotAfter().toInstant(),
                    pem,
                    false);
        } catch (Exception e) {
            throw new IllegalArgumentException("the server certificate cannot be read", e);
        }
    }

    static String name(StatusCode status) {
        return StatusCodes.lookup(status.getValue())
                .map(names -> names[0])
                .orElse(String.format("0x%08X", status.getValue()));
    }

    /** The category of a failure after discovery: the server speaks OPC UA. */
    static String category(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof UaException)) {
            cause = cause.getCause();
        }
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return TIMEOUT;
        }
        if (!(cause instanceof UaException ua)) {
            return cause instanceof java.io.IOException ? REFUSED : PROTOCOL;
        }
        long code = ua.getStatusCode().getValue();
        if (code == StatusCodes.Bad_Timeout || code == StatusCodes.Bad_RequestTimeout) {
            return TIMEOUT;
        }
        if (code == StatusCodes.Bad_ConnectionRejected
                || code == StatusCodes.Bad_ConnectionClosed
                || code == StatusCodes.Bad_CommunicationError
                || code == StatusCodes.Bad_ServerNotConnected
                || code == StatusCodes.Bad_NotConnected) {
            return REFUSED;
        }
        String name = name(ua.getStatusCode());
        if (name.startsWith("Bad_Certificate")
                || name.startsWith("Bad_Security")
                || name.startsWith("Bad_Identity")
                || name.startsWith("Bad_User")
                || name.equals("Bad_NoValidCertificates")
                || name.equals("Bad_ApplicationSignatureInvalid")) {
            return SECURITY;
        }
        return PROTOCOL;
    }

    private static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof UaException)) {
            cause = cause.getCause();
        }
        if (cause instanceof UaException ua) {
            String message = ua.getMessage();
            return name(ua.getStatusCode()) + (message == null ? "" : ": " + message);
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
}
