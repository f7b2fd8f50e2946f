package io.insa.iiot.identity;

import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Whether a login session is still in force, for what outlives the request that was authorized by it
 * (the console's live streams check their sessions now and then, which covers revocations on other
 * nodes, where {@link SessionsRevoked} is not published).
 */
@Component
public class SessionStatus {

    private final AuthSessions sessions;

    SessionStatus(AuthSessions sessions) {
        this.sessions = sessions;
    }

    public boolean isActive(UUID sessionId) {
        return sessions.isActive(sessionId);
    }
}
