package io.insa.iiot.shared;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** Who is on the other end of the current request, for rate limits and the audit log. */
public record ClientInfo(String ip, String userAgent) {

    public static final ClientInfo NONE = new ClientInfo(null, null);

    /**
     * The web console calls this server's API over loopback on behalf of a browser: it relays the
     * browser's address and agent, proven by a secret that never leaves this process, so that rate
     * limits, lockouts and the audit log see the browser, not the console.
     */
    public static final String RELAYED_FOR = "X-Insa-Relayed-For";

    public static final String RELAYED_AGENT = "X-Insa-Relayed-Agent";
    public static final String RELAY_KEY = "X-Insa-Relay-Key";
    public static final String RELAY_SECRET = Secrets.newToken();

    public static ClientInfo current() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            return of(attributes.getRequest());
        }
        return NONE;
    }

    /** The remote address as the container resolved it (forwarded headers only when configured). */
    public static ClientInfo of(HttpServletRequest request) {
        String relayed = request.getHeader(RELAYED_FOR);
        if (relayed != null
                && RELAY_SECRET.equals(request.getHeader(RELAY_KEY))
                && isLoopback(request.getRemoteAddr())) {
            return new ClientInfo(relayed, truncate(request.getHeader(RELAYED_AGENT)));
        }
        return new ClientInfo(request.getRemoteAddr(), truncate(request.getHeader("User-Agent")));
    }

    private static boolean isLoopback(String address) {
        return address != null
                && (address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1"));
    }

    private static String truncate(String agent) {
        return agent != null && agent.length() > 500 ? agent.substring(0, 500) : agent;
    }
}
