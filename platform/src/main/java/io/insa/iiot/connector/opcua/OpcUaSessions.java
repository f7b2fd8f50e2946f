package io.insa.iiot.connector.opcua;

import io.insa.iiot.shared.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The running sessions with the tenants' OPC UA servers, one per enabled connector, as the API sees them. Implemented
 * with Eclipse Milo in {@code connector.opcua.internal}, which this package does not know.
 */
public interface OpcUaSessions {

    /** The server certificate a connector was shown at its last attempt. */
    record Certificate(String thumbprint, String subject, Instant notAfter, String pem, boolean trusted) {}

    /**
     * What {@code GET .../status} shows.
     *
     * @param publishingIntervalMs the publishing interval the server granted, while connected
     */
    record Status(
            String state,
            String lastError,
            Instant connectedSince,
            Instant lastValueAt,
            double valuesPerSecond,
            Long publishingIntervalMs,
            int monitoredItems,
            List<BadItem> badItems) {}

    /** A mapped node that gives no values, and why. */
    record BadItem(String nodeId, String statusCode) {}

    /** A child of a node, as browse shows it. */
    record BrowsedNode(
            String nodeId,
            String browseName,
            String displayName,
            String nodeClass,
            String dataType,
            boolean hasChildren) {}

    /**
     * What a browse found: the node's children, or why there are none to show. The web layer answers the last two as
     * 409 and as 400 naming {@code node_id}.
     */
    sealed interface Browsed {

        record Children(List<BrowsedNode> nodes) implements Browsed {}

        /** No session on this node, a session not connected, or a server that refused the browse. */
        record Unavailable(String reason) implements Browsed {}

        /** The node id given does not parse. */
        record InvalidNodeId() implements Browsed {}
    }

    /**
     * Inside the transaction that created, changed or deleted the connector: once it commits, the node
     * that runs the connector's session (or takes it now) starts, restarts or stops it.
     */
    void changed(TenantId tenant, UUID connector);

    /**
     * The session's status: from this node when it runs the session, else as the node that runs it
     * last wrote it ({@code disconnected} when no node did within three ownership checks).
     */
    Status status(TenantId tenant, UUID connector);

    /** The server certificate the session was last shown, wherever it runs. */
    Optional<Certificate> serverCertificate(TenantId tenant, UUID connector);

    /** The children of a node (the Objects folder when null), through the live session. */
    Browsed browse(UUID connector, String nodeId);
}
