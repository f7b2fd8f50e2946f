package io.insa.iiot.ingest;

import io.insa.iiot.device.Devices;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.telemetry.DailyQuota;
import io.insa.iiot.telemetry.TelemetryKeys;
import io.insa.iiot.telemetry.TelemetryPartitions;
import io.insa.iiot.telemetry.TelemetryStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.springframework.context.ApplicationEventPublisher;
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
            TenantTransactions transactions,
            TelemetryStore store,
            TelemetryPartitions partitions,
            DailyQuota quota,
            Devices devices,
            IngestMetrics metrics,
            ApplicationEventPublisher events,
            IngestProperties properties) {
        return new BatchWriter(
                ingestQueue,
                transactions,
                store,
                partitions,
                quota,
                devices,
                metrics,
                events,
                properties.writerThreads(),
                properties.batchMaxMessages(),
                properties.batchLinger());
    }

    @Bean
    IngestService ingestService(
            IngestTenants tenants,
            DailyQuota quota,
            TelemetryKeys keys,
            BlockingQueue<PendingMessage> ingestQueue,
            BatchWriter writer,
            IngestMetrics metrics,
            IngestProperties properties,
            Clock clock) {
        return new IngestService(
                new PayloadParser(properties),
                tenants,
                new RateLimits(properties.deviceMessagesPerSecond()),
                quota,
                keys,
                ingestQueue,
                writer,
                metrics,
                properties,
                clock);
    }
}
