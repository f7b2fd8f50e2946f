package io.insa.iiot.shared;

import java.util.Set;
import java.util.UUID;

/**
 * The authenticated party of a request: a user (from an access token) or a tenant API key.
 *
 * @param userId the user, or null for an API key
 * @param apiKeyId the API key, or null for a user
 * @param label e-mail of the user or name of the key, for the audit log
 * @param systemAdmin whether the user administers the whole installation
 * @param activeTenant the tenant the token or key acts in, or null (a system admin outside any tenant)
 * @param role the role in the active tenant as issued, or null
 * @param scopes the API key's scopes (read, write, ingest); empty for users
 * @param sessionId the login session (refresh-token family) of a user's token
 */
public record Caller(
        UUID userId,
        UUID apiKeyId,
        String label,
        boolean systemAdmin,
        TenantId activeTenant,
        Role role,
        Set<String> scopes,
        UUID sessionId) {

    public boolean isApiKey() {
        return apiKeyId != null;
    }

    public String actorType() {
        return isApiKey() ? "api_key" : "user";
    }

    public String actorId() {
        return isApiKey() ? apiKeyId.toString() : userId.toString();
    }
}
