package io.insa.iiot.tenancy;

import java.util.UUID;

/**
 * Whether a user has multi-factor authentication on, for tenants that require it. The user directory
 * answers it; tenancy declares the question so that it need not depend on identity.
 */
public interface MfaEnrolments {

    boolean hasMfa(UUID userId);
}
