package io.insa.iiot.device;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.tenancy.TenantAccess;
import io.insa.iiot.tenancy.TenantAccess.Need;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /api/v1/devices/{id}/attributes}: a device's client, shared and server attributes (SPEC
 * 4.3). Shared and server attributes are changed with a JSON merge patch (null removes a key); a
 * change of shared attributes reaches the device over whichever transport it listens on.
 */
@RestController
@RequestMapping("/api/v1/devices/{id}/attributes")
class AttributeController {

    /** Attribute values per scope; a scope not asked for is left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record AttributesView(Map<String, Object> client, Map<String, Object> shared, Map<String, Object> server) {}

    private final DeviceAttributes attributes;
    private final TenantAccess access;
    private final JsonMapper json;

    AttributeController(DeviceAttributes attributes, TenantAccess access, JsonMapper json) {
        this.attributes = attributes;
        this.access = access;
        this.json = json;
    }

    /** {@code scope}: client, shared or server (default: all three); {@code keys}: comma-separated names. */
    @GetMapping
    AttributesView get(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id,
            @RequestParam(required = false) String scope,
            @RequestParam(required = false) String keys) {
        Set<AttributeScope> scopes = scope == null ? EnumSet.allOf(AttributeScope.class) : EnumSet.of(scope(scope));
        Set<String> named = keys == null || keys.isBlank()
                ? null
                : new LinkedHashSet<>(Arrays.stream(keys.split(","))
                        .map(String::strip)
                        .filter(k -> !k.isEmpty())
                        .toList());
        Map<AttributeScope, Map<String, String>> found = attributes.read(tenant(caller, Need.READ), id, scopes, named);
        return new AttributesView(
                values(scopes, found, AttributeScope.CLIENT),
                values(scopes, found, AttributeScope.SHARED),
                values(scopes, found, AttributeScope.SERVER));
    }

    /** Sets (a value) or removes (null) shared or server attributes; answers the scope's attributes after. */
    @PatchMapping("/{scope}")
    Map<String, Object> change(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID id,
            @PathVariable String scope,
            @RequestBody Map<String, Object> patch) {
        TenantId tenant = tenant(caller, Need.WRITE);
        Map<String, String> asJson = new LinkedHashMap<>();
        patch.forEach((key, value) -> asJson.put(key, value == null ? null : json.writeValueAsString(value)));
        return parsed(attributes.change(caller, tenant, id, scope(scope), asJson));
    }

    private static AttributeScope scope(String name) {
        return AttributeScope.of(name)
                .orElseThrow(() -> ProblemException.badRequest("scope", "must be client, shared or server"));
    }

    private Map<String, Object> values(
            Set<AttributeScope> asked, Map<AttributeScope, Map<String, String>> found, AttributeScope scope) {
        return asked.contains(scope) ? parsed(found.getOrDefault(scope, Map.of())) : null;
    }

    private Map<String, Object> parsed(Map<String, String> jsonValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        jsonValues.forEach((key, value) -> out.put(key, json.readValue(value, JsonNode.class)));
        return out;
    }

    private TenantId tenant(Caller caller, Need need) {
        return access.requireActive(caller, need).tenantId();
    }
}
