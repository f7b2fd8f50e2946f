package io.insa.iiot.transport.coap;

import io.insa.iiot.shared.DatabaseUnavailable;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.network.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;

/**
 * A resource of the CoAP device API whose every request is answered: a handler that throws (a read
 * while the database is unreachable, or a bug) would otherwise leave Californium to log the request
 * and answer nothing the device can act on. The database away is 5.03 with a Max-Age, as an upload
 * that could not be stored; anything else is 5.00.
 */
class CoapDeviceResource extends CoapResource {

    private static final Logger log = LoggerFactory.getLogger(CoapDeviceResource.class);
    /** As the REST API's Retry-After for the same failure. */
    private static final long RETRY_SECONDS = 5;

    CoapDeviceResource(String name) {
        super(name);
    }

    @Override
    public void handleRequest(Exchange exchange) {
        try {
            super.handleRequest(exchange);
        } catch (RuntimeException e) {
            Response answer;
            if (DatabaseUnavailable.isCauseOf(e)) {
                log.warn(
                        "CoAP {} answered 5.03: the database is unavailable ({})",
                        getName(),
                        NestedExceptionUtils.getMostSpecificCause(e).getMessage());
                answer = new Response(ResponseCode.SERVICE_UNAVAILABLE);
                answer.getOptions().setMaxAge(RETRY_SECONDS);
                answer.setPayload("the database is not reachable right now; retry");
            } else {
                log.error("CoAP {} answered 5.00", getName(), e);
                answer = new Response(ResponseCode.INTERNAL_SERVER_ERROR);
                answer.setPayload("internal error; the details are in the server log");
            }
            exchange.sendResponse(answer);
        }
    }
}
