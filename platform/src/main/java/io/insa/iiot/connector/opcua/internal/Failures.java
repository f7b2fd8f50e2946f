package io.insa.iiot.connector.opcua.internal;

import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;

/**
 * What went wrong with a connection attempt, as the tenant sees it: one of the few categories below, never the
 * details, which go to the operator's log ({@link #reason}).
 */
final class Failures {

    /** The endpoint's address is refused by the address policy (its DNS answer changed since it was written). */
    static final String ADDRESS_NOT_ALLOWED = "address_not_allowed";
    /**
     * No OPC UA server answered discovery at the endpoint: closed, filtered, not OPC UA, gone, or a name that does not
     * resolve. One category for all, so that connectors are no port scanner.
     */
    static final String REFUSED = "refused";
    /** An OPC UA server answered discovery, then did not answer a request in time. */
    static final String TIMEOUT = "timeout";
    /**
     * Security: the server certificate is not trusted, no endpoint has the policy and mode, or the server refused the
     * tenant's certificate or login.
     */
    static final String SECURITY = "security";
    /** Any other failure of an OPC UA server that answered discovery. */
    static final String PROTOCOL = "protocol";

    /** A failed attempt whose category is known where it happened. */
    static final class Failure extends Exception {
        final String category;

        Failure(String category, String detail) {
            super(detail, null, false, false);
            this.category = category;
        }
    }

    private Failures() {}

    /** The status code's name, such as Bad_NodeIdUnknown, or its hex value when it has none. */
    static String name(StatusCode status) {
        return StatusCodes.lookup(status.getValue())
                .map(names -> names[0])
                .orElse(String.format("0x%08X", status.getValue()));
    }

    /** The category of a failure after discovery: the server speaks OPC UA. */
    static String category(Throwable e) {
        Throwable cause = cause(e);
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return TIMEOUT;
        }
        if (!(cause instanceof UaException ua)) {
            return cause instanceof java.io.IOException ? REFUSED : PROTOCOL;
        }
        long code = ua.getStatusCode().getValue();
        if (code == StatusCodes.Bad_Timeout || code == StatusCodes.Bad_RequestTimeout) {
            return TIMEOUT;
        }
        if (code == StatusCodes.Bad_ConnectionRejected
                || code == StatusCodes.Bad_ConnectionClosed
                || code == StatusCodes.Bad_CommunicationError
                || code == StatusCodes.Bad_ServerNotConnected
                || code == StatusCodes.Bad_NotConnected) {
            return REFUSED;
        }
        String name = name(ua.getStatusCode());
        if (name.startsWith("Bad_Certificate")
                || name.startsWith("Bad_Security")
                || name.startsWith("Bad_Identity")
                || name.startsWith("Bad_User")
                || name.equals("Bad_NoValidCertificates")
                || name.equals("Bad_ApplicationSignatureInvalid")) {
            return SECURITY;
        }
        return PROTOCOL;
    }

    /** The detail of a failure, for the operator's log. */
    static String reason(Throwable e) {
        Throwable cause = cause(e);
        if (cause instanceof UaException ua) {
            String message = ua.getMessage();
            return name(ua.getStatusCode()) + (message == null ? "" : ": " + message);
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /** The OPC UA exception inside the wrappers of futures and of Milo, else the innermost cause. */
    private static Throwable cause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof UaException)) {
            cause = cause.getCause();
        }
        return cause;
    }
}
