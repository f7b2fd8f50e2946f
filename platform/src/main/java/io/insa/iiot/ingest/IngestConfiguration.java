package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.shared.DedicatedConnections;
import io.insa.iiot.telemetry.DailyQuota;
import io.insa.iiot.telemetry.TelemetryWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The ingest pipeline's parts, wired in one place. The queue is chosen at run time ({@code
 * insa.queue}), not by a condition: Spring AOT fixes conditions when the jar is built.
 */
@Configuration(proxyBeanMethods = false)
class IngestConfiguration {

    @Bean
    IngestBacklog ingestBacklog() {
        return new IngestBacklog();
    }

    @Bean
    IngestMetrics ingestMetrics(MeterRegistry registry, IngestBacklog backlog) {
        return new IngestMetrics(registry, backlog);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    IngestPressure ingestPressure(IngestBacklog backlog, IngestProperties properties, IngestMetrics metrics) {
        IngestPressure pressure = IngestPressure.of(
                backlog::depth, properties.queueCapacity(), properties.queueHighWater(), properties.queueLowWater());
        metrics.pressure(pressure);
        return pressure;
    }

    @Bean
    BatchWriter batchWriter(
            TelemetryWriter telemetry, DeviceAttributes devices, IngestPressure pressure, IngestMetrics metrics) {
        return new BatchWriter(telemetry, devices, pressure, metrics);
    }

    /** {@code memory}: one node, the queue in this process (the default); {@code kafka}: several nodes. */
    @Bean
    IngestQueue ingestQueue(
            @Value("${insa.queue:memory}") String queue,
            BatchWriter writer,
            IngestBacklog backlog,
            IngestProperties properties,
            KafkaSettings kafka,
            DailyQuota quota,
            JdbcClient jdbc,
            DedicatedConnections channels) {
        return switch (queue) {
            case "memory" ->
                new MemoryIngestQueue(
                        properties.queueCapacity(),
                        writer,
                        backlog,
                        properties.writerThreads(),
                        properties.batchMaxMessages(),
                        properties.batchLinger());
            case "kafka" -> {
                String node = UUID.randomUUID().toString();
                KafkaAnswers answers = new KafkaAnswers();
                KafkaIngestWriters writers = new KafkaIngestWriters(
                        kafka,
                        properties.writerThreads(),
                        properties.batchMaxMessages(),
                        writer,
                        new KafkaRecords(quota),
                        answers,
                        jdbc,
                        node);
                yield new KafkaIngestQueue(
                        kafka, properties.ack(), properties.queueCapacity(), backlog, answers, writers, channels);
            }
            default -> throw new IllegalArgumentException("insa.queue is memory or kafka, not '" + queue + "'");
        };
    }

    @Bean
    IngestService ingestService(
            IngestTenants tenants,
            DailyQuota quota,
            IngestQueue queue,
            IngestMetrics metrics,
            IngestPressure pressure,
            IngestProperties properties,
            Clock clock) {
        return new IngestService(
                new PayloadParser(properties),
                tenants,
                new RateLimits(properties.deviceMessagesPerSecond(), pressure::catchingUp),
                quota,
                queue,
                metrics,
                properties,
                clock);
    }
}
