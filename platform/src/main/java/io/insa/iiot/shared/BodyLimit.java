package io.insa.iiot.shared;

import java.util.List;
import org.springframework.http.HttpMethod;

/**
 * A request-body cap for some endpoints other than {@code insa.http.max-body-bytes}; a feature
 * declares its own as a bean, and {@link BodySizeFilter} applies the first that matches.
 *
 * @param method the request method
 * @param pathPatterns Spring path patterns, e.g. {@code /api/v1/devices/bulk}
 * @param maxBytes the cap, or {@link #READ_BY_HANDLER}
 */
public record BodyLimit(HttpMethod method, List<String> pathPatterns, long maxBytes) {

    /**
     * No cap from the filter: the handler reads a bounded body itself and answers an oversize one in
     * its protocol's terms (the HTTP device API: at most {@code insa.ingest.max-payload-bytes}, 400).
     */
    public static final long READ_BY_HANDLER = Long.MAX_VALUE;

    public BodyLimit {
        pathPatterns = List.copyOf(pathPatterns);
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
    }
}
