package io.insa.iiot.rules.notification;

import io.insa.iiot.rules.RuleAction;
import io.insa.iiot.shared.SealedSecrets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How actions are stored, in rules and in notifications: a webhook's secret sealed (AES-GCM,
 * the platform's secrets key) in a field of its own, {@value #SEALED_FIELD}, which only this class
 * writes: the API's {@code secret} is always a plain secret, whatever it looks like, so nothing a user
 * types can pass for sealed. Secrets stay sealed in memory ({@link RuleAction.SealedWebhook}) and are
 * opened only to sign a delivery. Rows written before sealing keep their plain {@code secret} until the
 * rule is saved again.
 */
@Component
public class WebhookSecrets {

    static final String SEALED_FIELD = "sealed_secret";

    private final SealedSecrets sealed;
    private final JsonMapper json;

    WebhookSecrets(SealedSecrets sealed, JsonMapper json) {
        this.sealed = sealed;
        this.json = json;
    }

    /** The actions as the database keeps them (JSON text). */
    public String stored(List<RuleAction> actions) {
        ArrayNode array = json.createArrayNode();
        actions.forEach(action -> array.add(tree(action)));
        return json.writeValueAsString(array);
    }

    String stored(RuleAction action) {
        return json.writeValueAsString(tree(action));
    }

    public List<RuleAction> actions(String stored) {
        List<RuleAction> actions = new ArrayList<>();
        json.readTree(stored).forEach(node -> actions.add(action(node)));
        return List.copyOf(actions);
    }

    RuleAction action(String stored) {
        return action(json.readTree(stored));
    }

    /**
     * The secret a delivery signs with.
     *
     * @throws IllegalStateException when it was sealed under a key the platform no longer has, or is damaged
     */
    String open(RuleAction.SealedWebhook webhook) {
        try {
            return sealed.open(webhook.sealedSecret());
        } catch (IllegalArgumentException e) { // not even base64
            throw new IllegalStateException("a sealed secret is damaged", e);
        }
    }

    private JsonNode tree(RuleAction action) {
        return switch (action) {
            case RuleAction.Webhook w -> webhook(w.url(), w.secret() == null ? null : sealed.seal(w.secret()));
            case RuleAction.SealedWebhook w -> webhook(w.url(), w.sealedSecret());
            default -> json.readTree(json.writerFor(RuleAction.class).writeValueAsString(action));
        };
    }

    private ObjectNode webhook(String url, String sealedSecret) {
        ObjectNode node = json.createObjectNode().put("type", "webhook").put("url", url);
        if (sealedSecret != null) {
            node.put(SEALED_FIELD, sealedSecret);
        }
        return node;
    }

    private RuleAction action(JsonNode node) {
        if (!"webhook".equals(node.path("type").asString(""))) {
            return json.treeToValue(node, RuleAction.class);
        }
        String url = node.path("url").asString(null);
        if (node.hasNonNull(SEALED_FIELD)) {
            return new RuleAction.SealedWebhook(url, node.get(SEALED_FIELD).asString());
        }
        return new RuleAction.Webhook(url, node.path("secret").asString(null)); // stored before sealing
    }
}
