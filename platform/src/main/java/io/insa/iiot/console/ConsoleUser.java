package io.insa.iiot.console;

import java.io.Serializable;
import java.util.List;
import java.util.UUID;

/**
 * Who is signed in to the console, kept in the HTTP session (never in the browser): the API tokens the
 * console calls the API with, and what the top bar shows.
 *
 * @param member whether the active tenant is one of the user's memberships
 * @param tenants the tenants the switcher offers: the user's memberships, or every tenant for a system admin
 * @param mfaEnrollmentRequired a tenant of the user requires MFA, which the user has not set up
 * @param loginSession the API's login session behind the tokens: what is opened under it ends with it
 */
public record ConsoleUser(
        String accessToken,
        String refreshToken,
        String email,
        boolean systemAdmin,
        String tenantId,
        String tenantName,
        String role,
        boolean member,
        List<TenantChoice> tenants,
        boolean mfaEnabled,
        boolean mfaEnrollmentRequired,
        UUID loginSession)
        implements Serializable {

    static final String SESSION_KEY = ConsoleUser.class.getName();

    /** A tenant the user may switch to. */
    public record TenantChoice(String id, String name) implements Serializable {}

    /** A system admin acting inside a tenant that is not one of their memberships is flagged in the bar. */
    public boolean adminInside() {
        return systemAdmin && tenantId != null && !member;
    }

    public boolean canWrite() {
        return systemAdmin || "admin".equals(role) || "operator".equals(role);
    }

    public boolean isAdmin() {
        return systemAdmin || "admin".equals(role);
    }

    ConsoleUser withTokens(String access, String refresh) {
        return new ConsoleUser(
                access,
                refresh,
                email,
                systemAdmin,
                tenantId,
                tenantName,
                role,
                member,
                tenants,
                mfaEnabled,
                mfaEnrollmentRequired,
                loginSession);
    }
}
