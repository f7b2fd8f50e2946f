package io.insa.iiot.rules;

import io.insa.iiot.shared.SealedSecrets;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Webhook secrets are sealed (AES-GCM, the platform's secrets key) where actions are stored, in rules
 * and in the notifications outbox, and opened when read back. Rows written before sealing keep their
 * plain secret until the rule is saved again.
 */
@Component
class WebhookSecrets {

    static final String SEALED = "sealed:";

    private final SealedSecrets sealed;

    WebhookSecrets(SealedSecrets sealed) {
        this.sealed = sealed;
    }

    RuleAction seal(RuleAction action) {
        return action instanceof RuleAction.Webhook w
                        && w.secret() != null
                        && !w.secret().startsWith(SEALED)
                ? new RuleAction.Webhook(w.url(), SEALED + sealed.seal(w.secret()))
                : action;
    }

    RuleAction open(RuleAction action) {
        return action instanceof RuleAction.Webhook w
                        && w.secret() != null
                        && w.secret().startsWith(SEALED)
                ? new RuleAction.Webhook(w.url(), sealed.open(w.secret().substring(SEALED.length())))
                : action;
    }

    List<RuleAction> seal(List<RuleAction> actions) {
        return actions.stream().map(this::seal).toList();
    }

    List<RuleAction> open(List<RuleAction> actions) {
        return actions.stream().map(this::open).toList();
    }
}
