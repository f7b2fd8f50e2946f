package io.insa.iiot.shared;

import java.net.URI;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A refusal with a status and a human-readable detail, rendered as RFC 9457 problem+json. The one
 * error type of the REST API; the factory methods name the conditions of SPEC 3.4.
 */
public class ProblemException extends ErrorResponseException {

    private ProblemException(HttpStatus status, String detail) {
        super(status, ProblemDetail.forStatusAndDetail(status, detail), null);
    }

    public static ProblemException badRequest(String field, String detail) {
        ProblemException e = new ProblemException(HttpStatus.BAD_REQUEST, field + ": " + detail);
        e.getBody().setProperty("field", field);
        return e;
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(HttpStatus.UNAUTHORIZED, detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(HttpStatus.FORBIDDEN, detail);
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(HttpStatus.NOT_FOUND, what + " not found");
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(HttpStatus.CONFLICT, detail);
    }

    public static ProblemException quotaExceeded(String detail) {
        return new ProblemException(HttpStatus.UNPROCESSABLE_CONTENT, detail);
    }

    /** 413: a request body over its cap (see {@code BodySizeFilter}). */
    public static ProblemException contentTooLarge(long maxBytes) {
        return new ProblemException(
                HttpStatus.CONTENT_TOO_LARGE, "the request body exceeds the limit of " + maxBytes + " bytes");
    }

    public static ProblemException gatewayTimeout(String detail) {
        return new ProblemException(HttpStatus.GATEWAY_TIMEOUT, detail);
    }

    public static ProblemException tooManyRequests(String detail, Duration retryAfter) {
        return of(HttpStatus.TOO_MANY_REQUESTS, detail, retryAfter);
    }

    /** Any status; with {@code retryAfter} (may be null) as whole seconds in Retry-After and the body. */
    public static ProblemException of(HttpStatus status, String detail, Duration retryAfter) {
        ProblemException e = new ProblemException(status, detail);
        if (retryAfter != null) {
            long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
            e.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            e.getBody().setProperty("retry_after_seconds", seconds);
        }
        return e;
    }

    public ProblemException withType(String type) {
        getBody().setType(URI.create(type));
        return this;
    }

    /**
     * Adds an extension member to the body (RFC 9457 section 3.2), for clients that act on more than
     * the human-readable detail; {@code name} is written as given, so spell it in snake_case.
     */
    public ProblemException withProperty(String name, Object value) {
        getBody().setProperty(name, value);
        return this;
    }

    public int status() {
        return getStatusCode().value();
    }

    public String detail() {
        return getBody().getDetail();
    }
}
