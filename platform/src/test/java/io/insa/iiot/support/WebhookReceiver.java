package io.insa.iiot.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * A webhook endpoint of a test, on loopback: records every POST (body and signature header) and answers
 * with the status its script gives for the n-th request (from 1).
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived. */
    public record Received(String body, String signature, long atNanos) {}

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();

    private WebhookReceiver(IntUnaryOperator statusOfNth) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(
                    new String(body, StandardCharsets.UTF_8),
                    exchange.getRequestHeaders().getFirst("X-Insa-Signature"),
                    System.nanoTime()));
            exchange.sendResponseHeaders(statusOfNth.applyAsInt(count.incrementAndGet()), -1);
            exchange.close();
        });
        server.start();
    }

    /** Answers 200 to everything. */
    public static WebhookReceiver accepting() {
        return new WebhookReceiver(n -> 200);
    }

    /** Answers 500 to the first {@code failures} requests, then 200. */
    public static WebhookReceiver failingFirst(int failures) {
        return new WebhookReceiver(n -> n <= failures ? 500 : 200);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
