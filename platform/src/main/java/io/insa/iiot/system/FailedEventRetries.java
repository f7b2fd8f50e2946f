package io.insa.iiot.system;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Delivers a domain event again to each listener that failed on it, until every listener has handled
 * it: the publisher's change is committed already, so its consequences (a deleted device's alerts
 * cleared, its latest values removed) must follow sooner or later. Publications a node never finished
 * (it stopped meanwhile) count as failed once stale ({@code spring.modulith.events.staleness.*}).
 * Every node retries, so a listener may see an event twice: listeners of domain events are idempotent.
 */
@Component
class FailedEventRetries {

    private final FailedEventPublications failed;
    private final Duration interval;

    FailedEventRetries(FailedEventPublications failed, @Value("${insa.events.retry-interval}") Duration interval) {
        this.failed = failed;
        this.interval = interval;
    }

    @Scheduled(initialDelayString = "${insa.events.retry-interval}", fixedDelayString = "${insa.events.retry-interval}")
    void retry() {
        failed.resubmit(ResubmissionOptions.defaults().withMinAge(interval));
    }
}
