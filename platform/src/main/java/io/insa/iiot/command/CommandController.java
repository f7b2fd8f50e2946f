package io.insa.iiot.command;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.tenancy.TenantAccess;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.UUID;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /api/v1/devices/{id}/commands}: send a command and, unless one-way, wait for the answer. */
@RestController
class CommandController {

    record CommandRequest(
            @NotBlank @Size(max = 100) String method,
            JsonNode params,
            @Min(100) @Max(60_000) Integer timeoutMs,
            Boolean oneWay) {}

    record CommandResponse(UUID id, String status, JsonNode response) {}

    private final Commands commands;
    private final TenantAccess access;
    private final JsonMapper json;

    CommandController(Commands commands, TenantAccess access, JsonMapper json) {
        this.commands = commands;
        this.access = access;
        this.json = json;
    }

    @PostMapping("/api/v1/devices/{deviceId}/commands")
    CommandResponse send(
            @AuthenticationPrincipal Caller caller,
            @PathVariable UUID deviceId,
            @Valid @RequestBody CommandRequest request) {
        var tenant = access.requireActive(caller, TenantAccess.Need.WRITE).tenantId();
        String params = request.params() == null ? "{}" : json.writeValueAsString(request.params());
        Commands.Outcome outcome = commands.send(
                caller,
                tenant,
                deviceId,
                request.method(),
                params,
                Duration.ofMillis(request.timeoutMs() == null ? 10_000 : request.timeoutMs()),
                Boolean.TRUE.equals(request.oneWay()));
        return new CommandResponse(
                outcome.id(), outcome.status(), outcome.response() == null ? null : json.readTree(outcome.response()));
    }
}
