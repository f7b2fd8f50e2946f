package io.insa.iiot.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Another node of the installation under test: the built jar ({@code target/platform.jar}) in a process
 * of its own, with the test platform's configuration and the given settings, on a free HTTP port.
 * Closing it kills it with SIGKILL (nothing flushed, no shutdown hook), as a crash would.
 */
public final class PlatformProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;

    private PlatformProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts a node with {@code settings} over the test platform's own, and waits until it is healthy. */
    public static PlatformProcess start(Map<String, String> settings) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path jar = Path.of("target", "platform.jar");
        assertThat(jar).exists();
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                jar.toString(),
                "--server.port=" + port));
        IntegrationTest.platformProperties().forEach((key, value) -> {
            if (!settings.containsKey(key)) {
                command.add("--" + key + "=" + value);
            }
        });
        settings.forEach((key, value) -> command.add("--" + key + "=" + value));
        Path log = Files.createTempFile("platform-node", ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PlatformProcess node = new PlatformProcess(process, log, port);
        try {
            node.awaitHealthy();
        } catch (Exception | AssertionError e) {
            node.close();
            throw e;
        }
        return node;
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /** The last lines of its log, for a failure message. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void awaitHealthy() throws Exception {
        Api api = new Api(port);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as(() -> "platform exited: " + tail()).isTrue();
            try {
                if (api.get("/api/v1/health").send().status() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("platform not healthy in time: " + tail());
    }
}
