package io.insa.iiot.device;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.Page;
import io.insa.iiot.shared.PageRequest;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.TenantAccess;
import io.insa.iiot.tenancy.TenantAccess.Need;
import jakarta.validation.Valid;
import jakarta.validation.Validator;
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
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** {@code /api/v1/devices}: the devices of the caller's active tenant (SPEC 4.1). */
@RestController
@RequestMapping("/api/v1/devices")
class DeviceController {

    record BulkResult(int created, List<Provisioned> devices) {}

    record Provisioned(UUID id, String name, String accessToken) {}

    record TokenResponse(String accessToken) {}

    private final Devices devices;
    private final DeviceCredentials credentials;
    private final Gateways gateways;
    private final TenantAccess access;
    private final JsonMapper json;
    private final Validator validator;
    private final int maxPageSize;

    DeviceController(
            Devices devices,
            DeviceCredentials credentials,
            Gateways gateways,
            TenantAccess access,
            JsonMapper json,
            Validator validator,
            @Value("${insa.api.max-page-size}") int maxPageSize) {
        this.devices = devices;
        this.credentials = credentials;
        this.gateways = gateways;
        this.access = access;
        this.json = json;
        this.validator = validator;
        this.maxPageSize = maxPageSize;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Devices.Provisioned create(
            @AuthenticationPrincipal Caller caller, @Valid @RequestBody DeviceRequests.Create request) {
        return devices.create(caller, tenant(caller, Need.WRITE), request);
    }

    /** Many devices in one call, as JSON ({@code {"devices": [...]}}) or CSV (name,type[,labels]). */
    @PostMapping(value = "/bulk", consumes = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    BulkResult bulk(@AuthenticationPrincipal Caller caller, @Valid @RequestBody DeviceRequests.Bulk request) {
        return bulkResult(devices.createAll(caller, tenant(caller, Need.WRITE), request.devices()));
    }

    @PostMapping(value = "/bulk", consumes = "text/csv")
    @ResponseStatus(HttpStatus.CREATED)
    BulkResult bulkCsv(@AuthenticationPrincipal Caller caller, @RequestBody String csv) {
        TenantId tenant = tenant(caller, Need.WRITE);
        List<DeviceRequests.Create> requests = DeviceCsv.parse(csv);
        var violations = validator.validate(new DeviceRequests.Bulk(requests));
        if (!violations.isEmpty()) {
            var first = violations.iterator().next();
            throw ProblemException.badRequest(first.getPropertyPath().toString(), first.getMessage());
        }
        return bulkResult(devices.createAll(caller, tenant, requests));
    }

    @GetMapping
    Page<Device> list(
            @AuthenticationPrincipal Caller caller,
            @RequestParam(required = false) String type,
            @RequestParam(required = false) String name,
            @RequestParam(required = false) String label,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        TenantId tenant = tenant(caller, Need.READ);
        Boolean online = switch (status == null ? "" : status) {
            case "" -> null;
            case "online" -> true;
            case "offline" -> false;
            default -> throw ProblemException.badRequest("status", "must be online or offline");
        };
        String labelJson = null;
        if (label != null) {
            int colon = label.indexOf(':');
            if (colon < 1) {
                throw ProblemException.badRequest("label", "must be key:value");
            }
            labelJson = json.writeValueAsString(Map.of(label.substring(0, colon), label.substring(colon + 1)));
        }
        var filter = new DeviceRepository.Filter(type, name, labelJson, online, devices.onlineSince());
        return devices.list(tenant, filter, PageRequest.of(page, size, maxPageSize));
    }

    @GetMapping("/{id}")
    Device get(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return devices.get(tenant(caller, Need.READ), id);
    }

    @PatchMapping("/{id}")
    Device update(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id,
            @Valid @RequestBody DeviceRequests.Update request) {
        return devices.update(caller, tenant(caller, Need.WRITE), id, request);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        devices.delete(caller, tenant(caller, Need.WRITE), id);
    }

    @PostMapping("/{id}/token")
    TokenResponse rotateToken(@AuthenticationPrincipal Caller caller, @PathVariable UUID id) {
        return new TokenResponse(credentials.rotateToken(caller, tenant(caller, Need.WRITE), id));
    }

    @PutMapping("/{id}/mqtt-credentials")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void setMqttCredentials(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id,
            @Valid @RequestBody DeviceRequests.MqttCredentials request) {
        credentials.setMqttCredentials(caller, tenant(caller, Need.WRITE), id, request);
    }

    /** Which gateway may write for the device: {@code {"gateway_id": "..."}}, or null for none. */
    @PutMapping("/{id}/gateway")
    Device assignGateway(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id,
            @RequestBody DeviceRequests.GatewayAssignment request) {
        return gateways.assignGateway(caller, tenant(caller, Need.WRITE), id, request.gatewayId());
    }

    private TenantId tenant(Caller caller, Need need) {
        return access.requireActive(caller, need).tenantId();
    }

    private static BulkResult bulkResult(List<Devices.Provisioned> created) {
        return new BulkResult(
                created.size(),
                created.stream()
                        .map(p -> new Provisioned(p.device().id(), p.device().name(), p.accessToken()))
                        .toList());
    }
}
