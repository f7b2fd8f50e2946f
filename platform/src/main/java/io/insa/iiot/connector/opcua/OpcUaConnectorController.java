package io.insa.iiot.connector.opcua;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.TenantAccess;
import io.insa.iiot.tenancy.TenantAccess.Need;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/connectors/opcua}: tenant admins write, operators and viewers read (SPEC 5). */
@RestController
@RequestMapping("/api/v1/connectors/opcua")
class OpcUaConnectorController {

    /** A connector as the API shows it: the password never. */
    record View(
            UUID id,
            String name,
            String endpointUrl,
            String securityPolicy,
            String securityMode,
            Map<String, String> auth,
            boolean enabled,
            Integer publishingIntervalMs,
            List<OpcUaConnector.Mapping> mappings,
            String trustedThumbprint,
            Instant createdAt,
            Instant updatedAt) {

        static View of(OpcUaConnector c) {
            Map<String, String> auth = c.auth().username() == null
                    ? Map.of("type", c.auth().type())
                    : Map.of("type", c.auth().type(), "username", c.auth().username());
            return new View(
                    c.id(),
                    c.name(),
                    c.endpointUrl(),
                    c.securityPolicy(),
                    c.securityMode(),
                    auth,
                    c.enabled(),
                    c.publishingIntervalMs(),
                    c.mappings(),
                    c.trustedThumbprint(),
                    c.createdAt(),
                    c.updatedAt());
        }
    }

    record TrustRequest(String thumbprint) {}

    /**
     * The tenant's OPC UA application certificate, for a server's operator to trust: the same for every connector of
     * the tenant, and no other tenant's.
     */
    record ClientCertificateView(
            String applicationUri,
            String subject,
            Instant notAfter,
            String thumbprintSha256,
            String thumbprintSha1,
            String pem) {

        static ClientCertificateView of(ClientCertificates.Issued issued) {
            return new ClientCertificateView(
                    issued.applicationUri(),
                    issued.certificate().getSubjectX500Principal().getName(),
                    issued.certificate().getNotAfter().toInstant(),
                    issued.thumbprint("SHA-256"),
                    issued.thumbprint("SHA-1"),
                    issued.pem());
        }
    }

    private final OpcUaConnectors connectors;
    private final OpcUaSessions sessions;
    private final ClientCertificates certificates;
    private final TenantAccess access;
    private final int maxPageSize;

    OpcUaConnectorController(
            OpcUaConnectors connectors,
            OpcUaSessions sessions,
            ClientCertificates certificates,
            TenantAccess access,
            @Value("${insa.api.max-page-size}") int maxPageSize) {
        this.connectors = connectors;
        this.sessions = sessions;
        this.certificates = certificates;
        this.access = access;
        this.maxPageSize = maxPageSize;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    View create(
            @AuthenticationPrincipal Caller caller,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(schema = @Schema(implementation = OpcUaConnectorRequests.Create.class)))
                    @RequestBody
                    JsonNode body) {
        return View.of(connectors.create(caller, tenant(caller, Need.ADMIN), body));
    }

    @GetMapping
    Page<View> list(
            @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return connectors
                .list(tenant(caller, Need.READ), PageRequest.of(page, size, maxPageSize))
                .map(View::of);
    }

    @GetMapping("/client-certificate")
    ClientCertificateView clientCertificate(@AuthenticationPrincipal Caller caller) {
        return ClientCertificateView.of(certificates.of(tenant(caller, Need.READ)));
    }

    @GetMapping("/{id}")
    View get(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return View.of(connectors.get(tenant(caller, Need.READ), id));
    }

    @PatchMapping("/{id}")
    View update(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(schema = @Schema(implementation = OpcUaConnectorRequests.Update.class)))
                    @RequestBody
                    JsonNode patch) {
        return View.of(connectors.update(caller, tenant(caller, Need.ADMIN), id, patch));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        connectors.delete(caller, tenant(caller, Need.ADMIN), id);
    }

    @GetMapping("/{id}/status")
    OpcUaSessions.Status status(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        TenantId tenant = tenant(caller, Need.READ);
        connectors.get(tenant, id);
        return sessions.status(tenant, id);
    }

    @GetMapping("/{id}/browse")
    Page<OpcUaSessions.BrowsedNode> browse(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id,
            @RequestParam(name = "node_id", required = false) String nodeId,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        connectors.get(tenant(caller, Need.READ), id);
        PageRequest request = PageRequest.of(page, size, maxPageSize);
        List<OpcUaSessions.BrowsedNode> children = switch (sessions.browse(id, nodeId)) {
            case OpcUaSessions.Browsed.Children found -> found.nodes();
            case OpcUaSessions.Browsed.Unavailable unavailable -> throw ProblemException.conflict(unavailable.reason());
            case OpcUaSessions.Browsed.InvalidNodeId invalid ->
                throw ProblemException.badRequest("node_id", "must be a node id such as ns=2;s=Line1");
        };
        int from = (int) Math.min(children.size(), request.offset());
        int to = Math.min(children.size(), from + request.size());
        return request.page(children.subList(from, to), children.size());
    }

    @GetMapping("/{id}/server-certificate")
    OpcUaSessions.Certificate serverCertificate(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        TenantId tenant = tenant(caller, Need.READ);
        connectors.get(tenant, id);
        return sessions.serverCertificate(tenant, id)
                .orElseThrow(() -> ProblemException.notFound("a server certificate seen by connector " + id));
    }

    @PostMapping("/{id}/trust-server-certificate")
    View trust(@AuthenticationPrincipal Caller caller, @PathVariable UUID id, @RequestBody TrustRequest request) {
        return View.of(connectors.trust(caller, tenant(caller, Need.ADMIN), id, request.thumbprint()));
    }

    private TenantId tenant(Caller caller, Need need) {
        return access.requireActive(caller, need).tenantId();
    }
}
