package io.insa.iiot.ingest;

import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.telemetry.DailyQuota;
import io.insa.iiot.telemetry.TelemetryWriter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The ingest pipeline's parts, wired in one place. */
@Configuration(proxyBeanMethods = false)
class IngestConfiguration {

    @Bean
    BlockingQueue<PendingMessage> ingestQueue(IngestProperties properties) {
        return new ArrayBlockingQueue<>(properties.queueCapacity());
    }

    @Bean
    IngestMetrics ingestMetrics(MeterRegistry registry, BlockingQueue<PendingMessage> ingestQueue) {
        return new IngestMetrics(registry, ingestQueue);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    IngestPressure ingestPressure(
            BlockingQueue<PendingMessage> ingestQueue, IngestProperties properties, IngestMetrics metrics) {
        IngestPressure pressure = IngestPressure.of(
                ingestQueue::size, properties.queueCapacity(), properties.queueHighWater(), properties.queueLowWater());
        metrics.pressure(pressure);
        return pressure;
    }

    @Bean
    BatchWriter batchWriter(
            BlockingQueue<PendingMessage> ingestQueue,
            TelemetryWriter telemetry,
            DeviceAttributes devices,
            IngestPressure pressure,
            IngestMetrics metrics,
            IngestProperties properties) {
        return new BatchWriter(
                ingestQueue,
                telemetry,
                devices,
                pressure,
                metrics,
                properties.writerThreads(),
                properties.batchMaxMessages(),
                properties.batchLinger());
    }

    @Bean
    IngestService ingestService(
            IngestTenants tenants,
            DailyQuota quota,
            BlockingQueue<PendingMessage> ingestQueue,
            BatchWriter writer,
            IngestMetrics metrics,
            IngestPressure pressure,
            IngestProperties properties,
            Clock clock) {
        return new IngestService(
                new PayloadParser(properties),
                tenants,
                new RateLimits(properties.deviceMessagesPerSecond(), pressure::catchingUp),
                quota,
                ingestQueue,
                writer,
                metrics,
                properties,
                clock);
    }
}
