package io.insa.iiot.audit;

import io.insa.iiot.shared.Caller;
import io.insa.iiot.shared.TenantId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of the audit trail, as features report it. Client address and user agent are taken from
 * the current request when the event is recorded.
 *
 * @param tenant the tenant the event belongs to, or null for a system event
 * @param outcome success, failure, denied, locked, ...
 * @param details free-form facts, e.g. {@code before} and {@code after} of a change
 */
public record AuditEvent(
        TenantId tenant,
        Actor actor,
        String action,
        String targetType,
        String targetId,
        String outcome,
        Map<String, Object> details) {

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";

    /** Who did it: a user, an API key, the platform itself, or an unauthenticated client. */
    public record Actor(String type, String id, String label) {

        public static Actor of(Caller caller) {
            return new Actor(caller.actorType(), caller.actorId(), caller.label());
        }

        public static Actor user(Object id, String email) {
            return new Actor("user", String.valueOf(id), email);
        }

        public static Actor system() {
            return new Actor("system", null, "system");
        }

        public static Actor anonymous(String claimedName) {
            return new Actor("anonymous", null, claimedName);
        }
    }

    public static AuditEvent success(TenantId tenant, Actor actor, String action, String targetType, Object targetId) {
        return new AuditEvent(tenant, actor, action, targetType, str(targetId), SUCCESS, Map.of());
    }

    public AuditEvent withOutcome(String value) {
        return new AuditEvent(tenant, actor, action, targetType, targetId, value, details);
    }

    public AuditEvent withTenant(TenantId value) {
        return new AuditEvent(value, actor, action, targetType, targetId, outcome, details);
    }

    public AuditEvent withDetail(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(details);
        copy.put(key, value);
        return new AuditEvent(tenant, actor, action, targetType, targetId, outcome, copy);
    }

    private static String str(Object value) {
        return value == null ? null : value.toString();
    }
}
