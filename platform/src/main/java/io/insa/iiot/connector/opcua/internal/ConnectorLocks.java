package io.insa.iiot.connector.opcua.internal;

import io.insa.iiot.shared.DedicatedConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node runs a connector's session (SPEC 2: one owner at a time): the node holding the
 * connector's PostgreSQL advisory lock, taken on a connection of its own. A node that dies loses that
 * connection, and its locks with it, so another node takes its connectors over.
 */
final class ConnectorLocks {

    /** The first key of every connector's lock ("OPCU"), apart from the platform's other advisory locks. */
    private static final int NAMESPACE = 0x4f504355;

    private static final Logger log = LoggerFactory.getLogger(ConnectorLocks.class);

    private final DedicatedConnections connections;
    private final Set<UUID> held = new HashSet<>();
    private Connection connection;

    ConnectorLocks(DedicatedConnections connections) {
        this.connections = connections;
    }

    /** True when this node holds the connector's lock: it held it already, or took it now. */
    synchronized boolean take(UUID connector) {
        if (held.contains(connector)) {
            return true;
        }
        try {
            if (connection == null) {
                connection = connections.open("insa-opcua-owner");
            }
            if (call("SELECT pg_try_advisory_lock(?, ?)", connector)) {
                held.add(connector);
                return true;
            }
            return false;
        } catch (SQLException e) {
            lost(e);
            return false;
        }
    }

    synchronized void release(UUID connector) {
        if (held.remove(connector) && connection != null) {
            try {
                call("SELECT pg_advisory_unlock(?, ?)", connector);
            } catch (SQLException e) {
                lost(e);
            }
        }
    }

    /**
     * False when the locks' connection is gone, and with it every lock: the caller stops every session
     * at once, since another node may take them over now.
     */
    synchronized boolean stillHeld() {
        if (connection == null) {
            return held.isEmpty();
        }
        try {
            if (connection.isValid(5)) {
                return true;
            }
            lost(new SQLException("the connection is no longer valid"));
        } catch (SQLException e) {
            lost(e);
        }
        return false;
    }

    synchronized void close() {
        held.clear();
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the connector locks' connection", e);
            }
            connection = null;
        }
    }

    private boolean call(String sql, UUID connector) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setQueryTimeout(10);
            statement.setInt(1, NAMESPACE);
            statement.setInt(2, connector.hashCode());
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private void lost(SQLException e) {
        if (!held.isEmpty()) {
            log.warn("lost the connection holding {} OPC UA connectors' locks ({})", held.size(), e.toString());
        }
        close();
    }
}
