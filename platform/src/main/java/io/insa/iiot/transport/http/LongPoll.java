package io.insa.iiot.transport.http;

import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.DeviceSessions;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * A long poll of the HTTP device API, as ThingsBoard's: the first thing that comes for the device
 * within the timeout is the answer (200); none is 408, which ThingsBoard's SDKs take as "poll again";
 * the device's credentials revoked meanwhile end it at once with 401. The request thread is virtual:
 * waiting costs no platform thread.
 */
final class LongPoll {

    /** ThingsBoard's {@code timeout=0} or none. */
    static final long DEFAULT_MILLIS = 30_000;

    /** A longer wait is cut to this, not refused: a refusal would end an SDK's polling worker. */
    static final long MAX_MILLIS = 60_000;

    /** Where the poll's answer comes from: listening until closed. */
    interface Source<T> {
        Listening listen(Consumer<T> next);
    }

    /** A source's registration; closing it ends it. */
    interface Listening extends AutoCloseable {
        @Override
        void close();
    }

    private LongPoll() {}

    /** The wait a poll asked for, in milliseconds: 0 is the default, more than the maximum is the maximum. */
    static long millis(long requested) {
        if (requested < 0) {
            throw ProblemException.badRequest("timeout", "must be 0 (the default, " + DEFAULT_MILLIS + ") or more ms");
        }
        return requested == 0 ? DEFAULT_MILLIS : Math.min(requested, MAX_MILLIS);
    }

    /** Waits up to {@code millis} for the first value of {@code source}, answered as {@code json}. */
    static <T> ResponseEntity<byte[]> await(
            DeviceEdge edge, DeviceEdge.Login login, long millis, Source<T> source, Function<T, byte[]> json) {
        CompletableFuture<T> next = new CompletableFuture<>();
        try (Listening listening = source.listen(next::complete);
                DeviceSessions.Registration session = edge.session(login, () -> next.cancel(false))) {
            return ResponseEntity.ok()
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(json.apply(next.get(millis, TimeUnit.MILLISECONDS)));
        } catch (CancellationException e) {
            throw ProblemException.unauthorized("the device's credentials were revoked");
        } catch (TimeoutException e) {
            return ResponseEntity.status(HttpStatus.REQUEST_TIMEOUT).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ResponseEntity.status(HttpStatus.REQUEST_TIMEOUT).build();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
