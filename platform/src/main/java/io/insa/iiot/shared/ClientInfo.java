package io.insa.iiot.shared;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** Who is on the other end of the current request, for rate limits and the audit log. */
public record ClientInfo(String ip, String userAgent) {

    public static final ClientInfo NONE = new ClientInfo(null, null);

    public static ClientInfo current() {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            return of(attributes.getRequest());
        }
        return NONE;
    }

    /** The remote address as the container resolved it (forwarded headers only when configured). */
    public static ClientInfo of(HttpServletRequest request) {
        String agent = request.getHeader("User-Agent");
        if (agent != null && agent.length() > 500) {
            agent = agent.substring(0, 500);
        }
        return new ClientInfo(request.getRemoteAddr(), agent);
    }
}
