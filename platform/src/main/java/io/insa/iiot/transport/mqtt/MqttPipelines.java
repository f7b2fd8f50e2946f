package io.insa.iiot.transport.mqtt;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxWrapper;
import io.vertx.core.internal.net.NetServerInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.internal.tls.ServerSslContextProvider;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrafficShapingOptions;
import io.vertx.core.spi.metrics.Metrics;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a handler of the platform's into each MQTT connection's Netty pipeline, right after Vert.x's
 * MQTT decoder, so that it sees every decoded packet before Vert.x MQTT does ({@link MqttConformance}).
 *
 * <p>Vert.x MQTT 5.1 builds the pipeline in its TCP server's connect handler and has no hook for it,
 * yet it settles two things before the application sees anything: it refuses an empty client id
 * without a clean session, and it closes the connection on a packet over the size limit without a
 * word. Its server creates its TCP server through the {@link Vertx} it is given; the one made here
 * hands it a TCP server whose connect handler runs Vert.x's and then adds ours, in the same call on
 * the connection's event loop, so before the first packet is decoded. Only Vert.x's internal but
 * published {@link VertxWrapper} and {@link NetServerInternal} are used, no reflection: an upgrade that
 * changes them fails to compile; one that renames the decoder is logged and MqttConformanceIT fails.
 */
final class MqttPipelines {

    private static final Logger log = LoggerFactory.getLogger(MqttPipelines.class);
    /** The name Vert.x MQTT gives its decoder (MqttServerImpl.initChannel). */
    static final String DECODER = "mqttDecoder";

    static final String NAME = "insaMqttConformance";

    private MqttPipelines() {}

    /** A Vert.x for {@code MqttServer.create} whose MQTT connections get a new {@code handler} each. */
    static Vertx adding(Vertx vertx, Supplier<ChannelHandler> handler) {
        return new VertxWrapper((VertxInternal) vertx) {
            @Override
            public NetServerInternal createNetServer(NetServerOptions options) {
                return new Hooked(delegate.createNetServer(options), handler);
            }
        };
    }

    private static void add(NetSocket socket, Supplier<ChannelHandler> handler) {
        ChannelPipeline pipeline =
                ((NetSocketInternal) socket).channelHandlerContext().pipeline();
        if (pipeline.get(DECODER) == null) {
            log.warn("Vert.x MQTT's pipeline has no '{}': the MQTT conformance handler is not installed", DECODER);
            return;
        }
        pipeline.addAfter(DECODER, NAME, handler.get());
    }

    /** Vert.x's TCP server, but for the connect handler, which is followed by {@link #add}. */
    private record Hooked(NetServerInternal server, Supplier<ChannelHandler> handler) implements NetServerInternal {

        @Override
        public NetServerInternal connectHandler(Handler<NetSocket> mqtt) {
            server.connectHandler(socket -> {
                mqtt.handle(socket);
                add(socket, handler);
            });
            return this;
        }

        @Override
        public Handler<NetSocket> connectHandler() {
            return server.connectHandler();
        }

        @Override
        public NetServerInternal exceptionHandler(Handler<Throwable> exceptionHandler) {
            server.exceptionHandler(exceptionHandler);
            return this;
        }

        @Override
        public ServerSslContextProvider sslContextProvider() {
            return server.sslContextProvider();
        }

        @Override
        public Future<NetServer> listen(ContextInternal context, SocketAddress address) {
            return server.listen(context, address);
        }

        @Override
        public Future<NetServer> listen() {
            return server.listen();
        }

        @Override
        public Future<NetServer> listen(int port, String host) {
            return server.listen(port, host);
        }

        @Override
        public Future<NetServer> listen(int port) {
            return server.listen(port);
        }

        @Override
        public Future<NetServer> listen(SocketAddress address) {
            return server.listen(address);
        }

        @Override
        public int sniEntrySize() {
            return server.sniEntrySize();
        }

        @Override
        public boolean isClosed() {
            return server.isClosed();
        }

        @Override
        public Future<Void> close() {
            return server.close();
        }

        @Override
        public Future<Void> shutdown() {
            return server.shutdown();
        }

        @Override
        public Future<Void> shutdown(long timeout, TimeUnit unit) {
            return server.shutdown(timeout, unit);
        }

        @Override
        public Future<Void> shutdown(Duration timeout) {
            return server.shutdown(timeout);
        }

        @Override
        public int actualPort() {
            return server.actualPort();
        }

        @Override
        public Future<Boolean> updateSSLOptions(ServerSSLOptions options) {
            return server.updateSSLOptions(options);
        }

        @Override
        public Future<Boolean> updateSSLOptions(ServerSSLOptions options, boolean force) {
            return server.updateSSLOptions(options, force);
        }

        @Override
        public Future<Boolean> updateTrafficShapingOptions(TrafficShapingOptions options) {
            return server.updateTrafficShapingOptions(options);
        }

        @Override
        public boolean isMetricsEnabled() {
            return server.isMetricsEnabled();
        }

        @Override
        public Metrics getMetrics() {
            return server.getMetrics();
        }
    }
}
