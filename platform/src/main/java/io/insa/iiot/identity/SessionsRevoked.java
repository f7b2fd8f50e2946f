package io.insa.iiot.identity;

import java.util.Set;
import java.util.UUID;

/**
 * Login sessions of a user were revoked (sign-out, removal from a tenant, a role change, a password
 * change, an MFA reset, a reused refresh token). Published on the node that revoked them once the
 * revocation committed, so that what was opened under the sessions (the console's live streams) ends
 * with them; other nodes see the revocation through {@link SessionStatus}.
 */
public record SessionsRevoked(UUID userId, Set<UUID> sessionIds, String reason) {}
