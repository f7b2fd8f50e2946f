package io.insa.iiot.rules.evaluation;

import io.insa.iiot.command.ClientRpc;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.rules.Rule;
import io.insa.iiot.rules.RuleAction;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers a device's request with the reply of the tenant's enabled {@code client_rpc} rule for its
 * method (the rule's key) whose scope covers the device; the oldest such rule wins.
 */
@Component
class ClientRpcAnswers implements ClientRpc.Answers {

    private final RuleCache rules;
    private final JsonMapper json;

    ClientRpcAnswers(RuleCache rules, JsonMapper json) {
        this.rules = rules;
        this.json = json;
    }

    @Override
    public Optional<String> answer(DeviceIdentity device, String method, JsonNode params) {
        List<Rule> candidates = rules.of(device.tenantId()).byMethod().getOrDefault(method, List.of());
        return candidates.stream()
                .filter(r -> r.definition().scope().covers(device))
                .flatMap(r -> r.definition().actions().stream())
                .filter(a -> a instanceof RuleAction.RpcReply)
                .map(a -> json.writeValueAsString(((RuleAction.RpcReply) a).response()))
                .findFirst();
    }
}
