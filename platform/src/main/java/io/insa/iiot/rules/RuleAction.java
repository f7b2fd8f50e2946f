package io.insa.iiot.rules;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** What happens when a rule's alert is raised and when it clears. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RuleAction.Webhook.class, name = "webhook"),
    @JsonSubTypes.Type(value = RuleAction.Email.class, name = "email"),
    @JsonSubTypes.Type(value = RuleAction.Command.class, name = "command"),
    @JsonSubTypes.Type(value = RuleAction.RpcReply.class, name = "rpc_reply")
})
public sealed interface RuleAction {

    /** What the API shows in place of a webhook's secret. */
    String HIDDEN_SECRET = "********";

    /** The action as the API shows it: secrets hidden. */
    default RuleAction shown() {
        return this;
    }

    /** A POST of the alert, signed with HMAC-SHA256 of the body under the secret (as given to the API). */
    record Webhook(String url, String secret) implements RuleAction {
        @Override
        public RuleAction shown() {
            return new Webhook(url, HIDDEN_SECRET);
        }
    }

    /**
     * A webhook as it is stored: its secret sealed, opened only to sign a delivery, so that a secret
     * that cannot be opened fails that delivery and nothing else. Never read from or shown to the API.
     */
    record SealedWebhook(String url, String sealedSecret) implements RuleAction {
        @Override
        public RuleAction shown() {
            return new Webhook(url, HIDDEN_SECRET);
        }
    }

    record Email(List<String> to) implements RuleAction {}

    /** A one-way command to a device, through the command path of every transport. */
    record Command(UUID deviceId, String method, JsonNode params) implements RuleAction {}

    /** The answer a {@code client_rpc} rule gives the device that asked: any JSON value. */
    record RpcReply(JsonNode response) implements RuleAction {}
}
