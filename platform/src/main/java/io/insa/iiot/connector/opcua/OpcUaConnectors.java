package io.insa.iiot.connector.opcua;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tenant's OPC UA connectors: written by its admins (audited in the change's transaction), applied to
 * the running sessions once committed, without a restart.
 */
@Service
class OpcUaConnectors {

    private final OpcUaConnectorRepository connectors;
    private final OpcUaSessions sessions;
    private final ConnectorAddresses addresses;
    private final TenantTransactions transactions;
    private final AuditLog audit;
    private final JsonMapper json;
    private final Clock clock;

    OpcUaConnectors(
            OpcUaConnectorRepository connectors,
            OpcUaSessions sessions,
            ConnectorAddresses addresses,
            TenantTransactions transactions,
            AuditLog audit,
            JsonMapper json,
            Clock clock) {
        this.connectors = connectors;
        this.sessions = sessions;
        this.addresses = addresses;
        this.transactions = transactions;
        this.audit = audit;
        this.json = json;
        this.clock = clock;
    }

    OpcUaConnector create(Caller caller, TenantId tenant, JsonNode body) {
        ConnectorDefinition d = ConnectorDefinition.parse(body, null);
        requireAdmitted(tenant, d.endpointUrl());
        Instant now = Times.now(clock).toInstant();
        OpcUaConnector connector = connector(Ids.newId(), tenant, d, null, now, now);
        return transactions.inTenant(tenant, () -> {
            try {
                connectors.insert(connector);
            } catch (DuplicateKeyException e) {
                throw ProblemException.conflict("a connector named '" + d.name() + "' exists already");
            }
            audit.record(AuditEvent.success(
                            tenant, AuditEvent.Actor.of(caller), "connector.create", "opcua_connector", connector.id())
                    .withDetail("name", connector.name())
                    .withDetail("endpoint_url", connector.endpointUrl()));
            sessions.changed(tenant, connector.id());
            return connector;
        });
    }

    /**
     * Changes the fields the patch names. A username auth without a password keeps the stored one only while the
     * endpoint stays the same: a password never follows the connector to another server (as webhook secrets do not
     * follow a new URL). A changed or enabled endpoint passes the address policy again.
     */
    OpcUaConnector update(Caller caller, TenantId tenant, UUID id, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw ProblemException.badRequest("body", "must be a JSON object");
        }
        return transactions.inTenant(tenant, () -> {
            OpcUaConnector current = connectors.lock(id).orElseThrow(() -> notFound(id));
            ObjectNode merged = (ObjectNode) json.valueToTree(OpcUaConnectorController.View.of(current));
            for (String derived : new String[] {"id", "created_at", "updated_at", "trusted_thumbprint"}) {
                merged.remove(derived);
            }
            patch.properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
            JsonNode url = merged.get("endpoint_url");
            boolean sameServer = url != null && url.isString() && url.asString().equals(current.endpointUrl());
            ConnectorDefinition d = ConnectorDefinition.parse(
                    merged, sameServer ? current.auth().password() : null);
            if (!sameServer || d.enabled()) {
                requireAdmitted(tenant, d.endpointUrl());
            }
            OpcUaConnector changed = connector(
                    id,
                    tenant,
                    d,
                    sameServer ? current.trustedThumbprint() : null,
                    current.createdAt(),
                    Times.now(clock).toInstant());
            try {
                connectors.update(changed);
            } catch (DuplicateKeyException e) {
                throw ProblemException.conflict("a connector named '" + d.name() + "' exists already");
            }
            audit.record(
                    AuditEvent.success(tenant, AuditEvent.Actor.of(caller), "connector.update", "opcua_connector", id)
                            .withDetail("fields", java.util.List.copyOf(patch.propertyNames())));
            sessions.changed(tenant, id);
            return changed;
        });
    }

    void delete(Caller caller, TenantId tenant, UUID id) {
        transactions.inTenant(tenant, () -> {
            OpcUaConnector current = connectors.lock(id).orElseThrow(() -> notFound(id));
            connectors.delete(id);
            audit.record(
                    AuditEvent.success(tenant, AuditEvent.Actor.of(caller), "connector.delete", "opcua_connector", id)
                            .withDetail("name", current.name()));
            sessions.changed(tenant, id);
        });
    }

    /**
     * Trusts the server certificate the connector was last shown, if its thumbprint is the one given. The connector is
     * looked up in the caller's tenant first: another tenant's id is a 404 like everywhere else.
     */
    OpcUaConnector trust(Caller caller, TenantId tenant, UUID id, String thumbprint) {
        return transactions.inTenant(tenant, () -> {
            OpcUaConnector current = connectors.lock(id).orElseThrow(() -> notFound(id));
            OpcUaSessions.Certificate seen = sessions.serverCertificate(tenant, id)
                    .orElseThrow(() -> ProblemException.conflict("the connector has not been shown a server"
                            + " certificate yet; wait for a connection attempt"));
            if (thumbprint == null || !seen.thumbprint().equalsIgnoreCase(thumbprint.strip())) {
                throw ProblemException.badRequest(
                        "thumbprint",
                        "must be the thumbprint of the certificate the server presented: " + seen.thumbprint());
            }
            OpcUaConnector trusted = new OpcUaConnector(
                    current.id(),
                    current.tenant(),
                    current.name(),
                    current.endpointUrl(),
                    current.securityPolicy(),
                    current.securityMode(),
                    current.auth(),
                    current.enabled(),
                    current.publishingIntervalMs(),
                    current.mappings(),
                    seen.thumbprint(),
                    current.createdAt(),
                    Times.now(clock).toInstant());
            connectors.update(trusted);
            audit.record(AuditEvent.success(
                            tenant, AuditEvent.Actor.of(caller), "connector.trust_certificate", "opcua_connector", id)
                    .withDetail("thumbprint", seen.thumbprint())
                    .withDetail("subject", seen.subject()));
            sessions.changed(tenant, id);
            return trusted;
        });
    }

    OpcUaConnector get(TenantId tenant, UUID id) {
        return transactions.inTenant(tenant, () -> connectors.find(id)).orElseThrow(() -> notFound(id));
    }

    Page<OpcUaConnector> list(TenantId tenant, PageRequest page) {
        return transactions.inTenant(tenant, () -> page.page(connectors.page(page), connectors.count()));
    }

    /** A 400 naming {@code endpoint_url} for an endpoint the address policy refuses. */
    private void requireAdmitted(TenantId tenant, String endpointUrl) {
        if (!addresses.admits(tenant, endpointUrl)) {
            throw ProblemException.badRequest(
                    "endpoint_url",
                    "must name a host that resolves to public addresses only: loopback, private, link-local and other"
                            + " special-purpose addresses are refused unless the operator admits them ("
                            + ConnectorAddresses.SETTING + ")");
        }
    }

    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("connector " + id);
    }

    private static OpcUaConnector connector(
            UUID id, TenantId tenant, ConnectorDefinition d, String trusted, Instant createdAt, Instant updatedAt) {
        return new OpcUaConnector(
                id,
                tenant,
                d.name(),
                d.endpointUrl(),
                d.securityPolicy(),
                d.securityMode(),
                d.auth(),
                d.enabled(),
                d.publishingIntervalMs(),
                d.mappings(),
                trusted,
                createdAt,
                updatedAt);
    }
}
