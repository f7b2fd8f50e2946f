package io.insa.iiot.shared;

import java.io.IOException;

/**
 * Thrown by the capped request stream once a body grows past its cap; an {@link IOException}, so
 * that whatever reads the body (Jackson, a message converter) fails as on a broken stream, and
 * {@link ProblemHandler} finds it in the cause chain and answers 413.
 */
class BodyTooLargeException extends IOException {

    private final long maxBytes;

    BodyTooLargeException(long maxBytes) {
        super("the request body exceeds the limit of " + maxBytes + " bytes");
        this.maxBytes = maxBytes;
    }

    ProblemException problem() {
        return ProblemException.contentTooLarge(maxBytes);
    }
}
