package io.insa.iiot.console;

import static io.insa.iiot.console.ConsolePages.flash;
import static io.insa.iiot.console.ConsolePages.parameters;
import static io.insa.iiot.console.ConsolePages.query;

import jakarta.servlet.http.HttpSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.JsonNode;

/**
 * OPC UA connectors: the list with their state, creating one, and a connector's page with its server
 * certificate (to trust) and its address space, browsed a level at a time.
 */
@Controller
class ConnectorPages {

    static final List<String> POLICIES =
            List.of("None", "Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss");
    static final List<String> MODES = List.of("None", "Sign", "SignAndEncrypt");

    private final ConsoleApi api;

    ConnectorPages(ConsoleApi api) {
        this.api = api;
    }

    @GetMapping("/console/connectors")
    String connectors(HttpSession session, Model model) {
        return ConsolePages.render(session, model, "connectors", user -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (JsonNode c :
                    api.get(session, "/api/v1/connectors/opcua?size=200").get("items")) {
                JsonNode status = api.get(
                        session, "/api/v1/connectors/opcua/" + c.get("id").asString() + "/status");
                rows.add(Map.of("connector", c, "status", status));
            }
            model.addAttribute("rows", rows);
            model.addAttribute("policies", POLICIES);
            model.addAttribute("modes", MODES);
        });
    }

    @PostMapping("/console/connectors")
    String create(
            @RequestParam String name,
            @RequestParam(name = "endpoint_url") String endpointUrl,
            @RequestParam(name = "security_policy", defaultValue = "None") String policy,
            @RequestParam(name = "security_mode", defaultValue = "None") String mode,
            @RequestParam(required = false, defaultValue = "") String username,
            @RequestParam(required = false, defaultValue = "") String password,
            HttpSession session) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("endpoint_url", endpointUrl.strip());
        body.put("security_policy", policy);
        body.put("security_mode", mode);
        body.put(
                "auth",
                username.isBlank()
                        ? Map.of("type", "anonymous")
                        : Map.of("type", "username", "username", username, "password", password));
        JsonNode created = api.post(session, "/api/v1/connectors/opcua", body);
        flash(session, "Connector " + name + " created.");
        return "redirect:/console/connectors/" + created.get("id").asString();
    }

    @GetMapping("/console/connectors/{id}")
    String connector(@PathVariable UUID id, HttpSession session, Model model) {
        return ConsolePages.render(session, model, "connector", user -> {
            String path = "/api/v1/connectors/opcua/" + id;
            model.addAttribute("connector", api.get(session, path));
            model.addAttribute("status", api.get(session, path + "/status"));
            try {
                model.addAttribute("certificate", api.get(session, path + "/server-certificate"));
            } catch (ConsoleApi.Refused notSeenYet) {
                model.addAttribute("certificate", null);
            }
            nodes(session, model, id, "");
        });
    }

    /** One level of the address space, which the connector page expands in place (htmx). */
    @GetMapping("/console/connectors/{id}/nodes")
    String children(
            @PathVariable UUID id,
            @RequestParam(name = "node_id", required = false, defaultValue = "") String nodeId,
            HttpSession session,
            Model model) {
        model.addAttribute("user", ConsolePages.user(session));
        model.addAttribute("connectorId", id);
        try {
            nodes(session, model, id, nodeId);
        } catch (ConsoleApi.Refused e) {
            model.addAttribute("browseProblem", e.getMessage());
        }
        return "console/connector :: nodes";
    }

    @PostMapping("/console/connectors/{id}/trust")
    String trust(@PathVariable UUID id, @RequestParam String thumbprint, HttpSession session) {
        api.post(
                session,
                "/api/v1/connectors/opcua/" + id + "/trust-server-certificate",
                Map.of("thumbprint", thumbprint));
        flash(session, "Server certificate trusted; the connector connects with it from now on.");
        return "redirect:/console/connectors/" + id;
    }

    private void nodes(HttpSession session, Model model, UUID id, String nodeId) {
        model.addAttribute("connectorId", id);
        try {
            model.addAttribute(
                    "nodes",
                    api.get(
                                    session,
                                    "/api/v1/connectors/opcua/" + id + "/browse"
                                            + query(parameters("node_id", nodeId, "size", 200)))
                            .get("items"));
        } catch (ConsoleApi.Refused e) {
            model.addAttribute("browseProblem", e.getMessage());
        }
    }
}
