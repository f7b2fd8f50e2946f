package io.insa.iiot.transport.coap;

import static org.assertj.core.api.Assertions.assertThat;

import io.insa.iiot.support.Fixture;
import io.insa.iiot.support.OutageTest;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.elements.exception.ConnectorException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/** CoAP devices through a database outage: 2.04 or 5.03 for every request, and 2.04 only when stored. */
@Timeout(120)
class CoapOutageIT extends OutageTest {

    @Autowired
    CoapTransport transport;

    @Test
    void everyRequestIsAnsweredAndEveryAcknowledgedOneIsStored() throws Exception {
        Fixture.Member operator = fixture.member(fixture.tenant("CoAP outage"), "operator");
        List<CoapSender> senders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            senders.add(new CoapSender(fixture.device(operator.accessToken(), Fixture.unique("coap"))));
        }

        sendThroughAnOutage(operator, senders);

        senders.forEach(sender -> sender.client.shutdown());
    }

    /** An attribute request the database cannot answer is a try-later, known device or not yet. */
    @Test
    void anAttributeRequestDuringAnOutageIsAnsweredServiceUnavailable() throws Exception {
        Fixture.Member operator = fixture.member(fixture.tenant("CoAP outage attributes"), "operator");
        Fixture.DeviceHandle known = fixture.device(operator.accessToken(), Fixture.unique("known"));
        Fixture.DeviceHandle cold = fixture.device(operator.accessToken(), Fixture.unique("cold"));
        CoapClient knownClient = client(known.token(), "attributes");
        CoapClient coldClient = client(cold.token(), "attributes");
        CoapResponse before = knownClient.get();
        assertThat(before.getCode()).as("before the outage").isEqualTo(CoAP.ResponseCode.CONTENT);

        DATABASE.cut();
        CoapResponse knownDuring = knownClient.get();
        CoapResponse coldDuring = coldClient.get();
        DATABASE.restore();

        assertThat(knownDuring)
                .as("an answer for a device known before the outage")
                .isNotNull();
        assertThat(knownDuring.getCode()).isEqualTo(CoAP.ResponseCode.SERVICE_UNAVAILABLE);
        assertThat(coldDuring)
                .as("an answer for a device not yet authenticated")
                .isNotNull();
        assertThat(coldDuring.getCode()).isEqualTo(CoAP.ResponseCode.SERVICE_UNAVAILABLE);
        knownClient.shutdown();
        coldClient.shutdown();
    }

    private CoapClient client(String token, String path) {
        CoapClient client = new CoapClient("coap://127.0.0.1:" + transport.port() + "/api/v1/" + token + "/" + path);
        client.setTimeout(20_000L);
        return client;
    }

    private final class CoapSender extends Sender {
        final CoapClient client;

        CoapSender(Fixture.DeviceHandle device) {
            super(device);
            this.client = client(device.token(), "telemetry");
        }

        @Override
        protected Outcome send(String payload) {
            try {
                CoapResponse response = client.post(payload, MediaTypeRegistry.APPLICATION_JSON);
                if (response == null) {
                    return Outcome.OTHER; // no answer within the client's timeout
                }
                if (response.getCode() == CoAP.ResponseCode.CHANGED) {
                    return Outcome.STORED;
                }
                return response.getCode() == CoAP.ResponseCode.SERVICE_UNAVAILABLE ? Outcome.RETRY : Outcome.OTHER;
            } catch (ConnectorException | java.io.IOException e) {
                return Outcome.OTHER;
            }
        }
    }
}
