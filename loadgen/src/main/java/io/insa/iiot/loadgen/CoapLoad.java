package io.insa.iiot.loadgen;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/**
 * CoAP ingest load: confirmable POSTs to {@code /api/v1/{token}/telemetry} at a target rate over the
 * provisioned devices, from a pool of Californium endpoints ({@code --endpoints}); latency is request
 * to 2.04.
 */
final class CoapLoad {

    private final Options options;

    CoapLoad(Options options) {
        this.options = options;
    }

    void run() throws Exception {
        CoapConfig.register();
        UdpConfig.register();
        Configuration.setStandard(Configuration.createStandardWithoutFile());
        String base = "coap://" + options.get("coap-host", "127.0.0.1") + ":" + options.integer("coap-port", 5683)
                + "/api/v1/";
        int rate = options.integer("rate", 2_000);
        int points = options.integer("points", 3);
        List<String> tokens = PlatformClient.provisionedDevices(options, "coap");
        Duration duration = Duration.ofSeconds(options.integer("duration", 60));
        Duration warmup = Duration.ofSeconds(options.integer("warmup", 20));
        System.out.printf(
                "method:  CoAP confirmable POST (Californium client), %d points a message, target %d msg/s over %d devices,"
                        + " warm-up %d s, measured %d s%n",
                points, rate, tokens.size(), warmup.toSeconds(), duration.toSeconds());
        // a CoAP endpoint has 65,536 message ids per exchange lifetime (about 250 messages/s sustained),
        // so the load comes from many endpoints, as it would from many devices
        int endpoints = options.integer("endpoints", 64);
        List<CoapClient> clients = new java.util.ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            CoapClient client = new CoapClient();
            client.setEndpoint(CoapEndpoint.builder()
                    .setConfiguration(Configuration.getStandard())
                    .build());
            clients.add(client);
        }
        PacedLoad.run(tokens.size(), rate, points, warmup, duration, "2.04 after commit", (index, payload) -> {
            CompletableFuture<String> done = new CompletableFuture<>();
            Request post = Request.newPost();
            post.setURI(base + tokens.get(index) + "/telemetry");
            post.setPayload(payload);
            post.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
            clients.get(index % clients.size())
                    .advanced(
                            new CoapHandler() {
                                @Override
                                public void onLoad(CoapResponse response) {
                                    done.complete(
                                            response.getCode() == ResponseCode.CHANGED
                                                    ? null
                                                    : response.getCode().toString());
                                }

                                @Override
                                public void onError() {
                                    done.complete("timeout or error");
                                }
                            },
                            post);
            return done;
        });
        clients.forEach(CoapClient::shutdown);
    }
}
