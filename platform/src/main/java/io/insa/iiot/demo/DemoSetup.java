package io.insa.iiot.demo;

import io.insa.iiot.demo.PlantModel.Kind;
import io.insa.iiot.demo.PlantModel.Machine;
import io.insa.iiot.identity.TenantSetup;
import io.insa.iiot.shared.DataDirectory;
import io.insa.iiot.shared.OutboundExemptions;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Brings the demo tenant to what the demo needs, creating only what is missing: on first start the
 * tenant, its administrator (credentials printed once and kept in the data directory), the 50 devices,
 * the rules, anomaly detection and the OPC UA connector; on later starts the devices get fresh tokens
 * (the old ones were shown once and not kept) and the connector the line's new address. The line is
 * on loopback, which connectors may not reach: the demo admits its exact address and port for the
 * demo tenant alone, so that no other tenant's connector reaches it.
 */
final class DemoSetup {

    static final String TENANT_NAME = "Demo Plant";
    static final String PASSWORD_FILE = "demo-admin-password.txt";
    static final String CONNECTOR_NAME = "Packaging line";
    private static final Logger log = LoggerFactory.getLogger(DemoSetup.class);
    private static final Map<Kind, String> AREAS =
            Map.of(Kind.PUMP, "pump house", Kind.MOTOR, "assembly", Kind.TANK, "tank farm", Kind.STATION, "packaging");

    private final DemoSettings settings;
    private final TenantSetup tenants;
    private final DataDirectory dataDir;
    private final DemoApi api;
    private final OutboundExemptions exemptions;
    private TenantId tenant;
    private InetSocketAddress admitted;

    DemoSetup(
            DemoSettings settings,
            TenantSetup tenants,
            DataDirectory dataDir,
            DemoApi api,
            OutboundExemptions exemptions) {
        this.settings = settings;
        this.tenants = tenants;
        this.dataDir = dataDir;
        this.api = api;
        this.exemptions = exemptions;
    }

    /** The MQTT devices' access tokens, by machine; the line's stations are read over OPC UA instead. */
    Map<Machine, String> ensure(DemoLine line) {
        signIn();
        tenant = TenantId.parse(api.get("/api/v1/auth/me").at("/tenant/id").asString());
        admitted = line.address();
        exemptions.admit(tenant, admitted);
        Map<Machine, String> tokens = devices();
        rules();
        api.patch(
                "/api/v1/analytics/anomaly",
                Map.of("enabled", true, "keys", List.of("bearing_temp_c", "level_pct", "current_a")));
        connector(line);
        return tokens;
    }

    private void signIn() {
        var kept = dataDir.readSecret(PASSWORD_FILE);
        if (kept.isPresent()) {
            api.signIn(settings.adminEmail(), kept.get().strip());
            return;
        }
        TenantSetup.Administrator admin;
        try {
            admin = tenants.createWithAdministrator(
                    TENANT_NAME, settings.tenantSlug(), settings.adminEmail(), "Demo administrator");
        } catch (ProblemException e) {
            throw new IllegalStateException("the demo tenant cannot be created (" + e.getMessage() + "); "
                    + "it exists already but " + dataDir.root().resolve(PASSWORD_FILE) + " is gone");
        }
        var file = dataDir.writeSecret(PASSWORD_FILE, admin.password());
        log.warn("""

                ================================================================
                 Demo plant created: tenant "{}"
                   e-mail:   {}
                   password: generated into {} (mode 0600)
                ================================================================""", TENANT_NAME, admin.email(), file);
        api.signIn(admin.email(), admin.password());
    }

    private Map<Machine, String> devices() {
        Map<String, String> existing = new HashMap<>();
        api.get("/api/v1/devices?size=500")
                .get("items")
                .forEach(d -> existing.put(d.get("name").asString(), d.get("id").asString()));
        List<Map<String, Object>> missing = new ArrayList<>();
        for (Machine m : PlantModel.machines()) {
            if (!existing.containsKey(m.name())) {
                missing.add(
                        Map.of("name", m.name(), "type", m.kind().type, "labels", Map.of("area", AREAS.get(m.kind()))));
            }
        }
        Map<String, String> fresh = new HashMap<>();
        if (!missing.isEmpty()) {
            api.post("/api/v1/devices/bulk", Map.of("devices", missing))
                    .get("devices")
                    .forEach(d -> fresh.put(
                            d.get("name").asString(), d.get("access_token").asString()));
        }
        Map<Machine, String> tokens = new LinkedHashMap<>();
        for (Machine m : PlantModel.machines()) {
            if (m.kind() == Kind.STATION) {
                continue;
            }
            String token = fresh.get(m.name());
            if (token == null) {
                token = api.post("/api/v1/devices/" + existing.get(m.name()) + "/token", Map.of())
                        .get("access_token")
                        .asString();
            }
            tokens.put(m, token);
        }
        return tokens;
    }

    private void rules() {
        Set<String> existing = new HashSet<>();
        api.get("/api/v1/rules?size=500")
                .get("items")
                .forEach(r -> existing.add(r.get("name").asString()));
        for (Map<String, Object> rule : DemoRules.all()) {
            if (!existing.contains((String) rule.get("name"))) {
                api.post("/api/v1/rules", rule);
            }
        }
    }

    private void connector(DemoLine line) {
        Map<String, Object> body = Map.of(
                "name",
                CONNECTOR_NAME,
                "endpoint_url",
                line.endpointUrl(),
                "enabled",
                true,
                "publishing_interval_ms",
                1000,
                "mappings",
                line.mappings());
        for (JsonNode c : api.get("/api/v1/connectors/opcua?size=500").get("items")) {
            if (c.get("name").asString().equals(CONNECTOR_NAME)) {
                api.patch("/api/v1/connectors/opcua/" + c.get("id").asString(), body);
                return;
            }
        }
        api.post("/api/v1/connectors/opcua", body);
    }

    /**
     * Stops the connector polling a line that is gone with the demo (a stopped demo leaves no load) and
     * withdraws the line's address from the tenant's admitted ones.
     */
    void disableConnector() {
        try {
            for (JsonNode c : api.get("/api/v1/connectors/opcua?size=500").get("items")) {
                if (c.get("name").asString().equals(CONNECTOR_NAME)) {
                    api.patch("/api/v1/connectors/opcua/" + c.get("id").asString(), Map.of("enabled", false));
                }
            }
        } finally {
            if (admitted != null) {
                exemptions.revoke(tenant, admitted);
                admitted = null;
            }
        }
    }
}
