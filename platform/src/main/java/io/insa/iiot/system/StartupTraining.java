package io.insa.iiot.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;

/**
 * The training run of the AOT cache ({@code insa.startup-training=true}, set by {@code ./iiot start}): a
 * whole start of the server, then the requests a client makes first, then exit, so the JVM writes into
 * the cache what a start up to ready loads, links and profiles (the web servers, the transports'
 * listeners, the first request), not only the beans. It listens on ports of its own (any free ones), so
 * no device reaches it and it needs none of the server's; it does no first-start work (the system
 * administrator and the demo plant are the real start's, which logs them).
 */
@Component
public class StartupTraining {

    public static final String PROPERTY = "insa.startup-training";

    private static final Logger log = LoggerFactory.getLogger(StartupTraining.class);

    /** Every listener on a free port, whatever the command line says, and no demo plant. */
    private static final Map<String, Object> OVERRIDES = Map.of(
            "server.port", "0",
            "management.server.port", "0",
            "insa.https.port", "0",
            "insa.mqtt.port", "0",
            "insa.mqtt.tls.port", "0",
            "insa.coap.port", "0",
            "insa.coap.dtls.port", "0",
            "insa.amqp.port", "0",
            "insa.amqp.tls.port", "0",
            "insa.demo.enabled", "false");

    private final Environment environment;

    StartupTraining(Environment environment) {
        this.environment = environment;
    }

    /**
     * Read before Spring's settings exist (as a system property): in a training run, the overrides go
     * in front of every other setting, the command line's too.
     */
    public static void prepare(SpringApplication application) {
        if (Boolean.getBoolean(PROPERTY)) {
            application.addInitializers(context -> context.getEnvironment()
                    .getPropertySources()
                    .addFirst(new MapPropertySource("startupTraining", OVERRIDES)));
        }
    }

    public static boolean active(Environment environment) {
        return environment.getProperty(PROPERTY, Boolean.class, false);
    }

    @EventListener(ApplicationReadyEvent.class)
    void ready(ApplicationReadyEvent event) {
        if (!active(environment)) {
            return;
        }
        // off the thread that publishes the event: exiting closes the context, which waits for it
        Thread.ofPlatform().name("startup-training").start(() -> {
            firstRequests();
            log.info("training run done: exiting, the JVM writes the AOT cache");
            System.exit(SpringApplication.exit(event.getApplicationContext(), () -> 0));
        });
    }

    /** What clients ask first: health on both ports, the console's page, the API unauthenticated, metrics. */
    private void firstRequests() {
        String main = "http://127.0.0.1:" + environment.getProperty("local.server.port");
        String management = "http://127.0.0.1:" + environment.getProperty("local.management.port");
        List<String> urls = List.of(
                main + "/api/v1/health",
                main + "/actuator/health",
                main + "/console/login",
                main + "/api/v1/auth/me",
                management + "/actuator/health",
                management + "/actuator/prometheus");
        try (HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            for (String url : urls) {
                try {
                    HttpResponse<Void> response = client.send(
                            HttpRequest.newBuilder(URI.create(url))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    log.info("training request {}: {}", url, response.statusCode());
                } catch (Exception e) {
                    // a request less makes the cache a little smaller, not wrong
                    log.warn("training request {} failed: {}", url, e.toString());
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
