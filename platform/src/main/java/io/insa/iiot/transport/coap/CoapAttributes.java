package io.insa.iiot.transport.coap;

import io.insa.iiot.device.DeviceAttributes;
import io.insa.iiot.device.DeviceIdentity;
import io.insa.iiot.device.SharedAttributesChanged;
import io.insa.iiot.ingest.Ingest;
import io.insa.iiot.transport.AttributeMessages;
import io.insa.iiot.transport.AttributeSubscriptions;
import io.insa.iiot.transport.DeviceEdge;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * {@code /api/v1/{token}/attributes}: POST stores client attributes; GET reads client and shared
 * attributes ({@code ?clientKeys=a,b&sharedKeys=c}, all of both without keys); GET with Observe is
 * answered with the shared attributes as they are, then notified of each change of them
 * ({@code {"key": value, "deleted": [...]}}) while the device's credentials hold.
 */
final class CoapAttributes extends CoapUpload {

    /** A change the observer has not acknowledged yet, numbered in the order changes came. */
    private record Pending(long number, SharedAttributesChanged change) {}

    private final CoapRequests requests;
    private final DeviceAttributes attributes;
    private final AttributeSubscriptions subscriptions;
    private final CoapObservations observations;
    private final Map<ObserveRelation, Deque<Pending>> pending = new ConcurrentHashMap<>();
    private final AtomicLong numbers = new AtomicLong();

    CoapAttributes(
            CoapUpload.Services services,
            Ingest ingest,
            DeviceEdge edge,
            DeviceAttributes attributes,
            AttributeSubscriptions subscriptions) {
        super("attributes", ingest::attributes, services);
        this.requests = services.requests();
        this.attributes = attributes;
        this.subscriptions = subscriptions;
        this.observations = new CoapObservations(this, edge, requests);
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        Optional<DeviceEdge.Login> login = observations.login(exchange);
        if (login.isEmpty()) {
            return;
        }
        ObserveRelation relation = exchange.advanced().getRelation();
        DeviceIdentity device = login.get().device();
        if (relation == null) {
            if (requests.refused(exchange, device)) {
                return;
            }
            AttributeMessages.Request asked = AttributeMessages.request(
                    CoapRequests.query(exchange, "clientKeys", "client_keys"),
                    CoapRequests.query(exchange, "sharedKeys", "shared_keys"));
            exchange.respond(
                    ResponseCode.CONTENT,
                    AttributeMessages.response(attributes.forDevice(device, asked.clientKeys(), asked.sharedKeys())),
                    MediaTypeRegistry.APPLICATION_JSON);
        } else if (!observations.holds(relation)) {
            AttributeSubscriptions.Subscription changes = subscriptions.device(device.deviceId(), change -> {
                pending.computeIfAbsent(relation, r -> new ConcurrentLinkedDeque<>())
                        .add(new Pending(numbers.incrementAndGet(), change));
                changed(r -> r == relation);
            });
            if (!observations.open(relation, login.get(), changes::close, exchange)) {
                pending.remove(relation);
            } else {
                DeviceAttributes.Readable now = attributes.forDevice(device, Set.of(), Set.of());
                exchange.respond(
                        ResponseCode.CONTENT,
                        AttributeMessages.values(now.shared()).toString(),
                        MediaTypeRegistry.APPLICATION_JSON);
            }
        } else {
            exchange.respond(notification(relation));
        }
    }

    /**
     * Californium keeps only the newest of the notifications waiting behind an unacknowledged one: each
     * carries every change not acknowledged yet, so none is lost when an older one is dropped.
     */
    private Response notification(ObserveRelation relation) {
        Deque<Pending> changes = pending.getOrDefault(relation, new ArrayDeque<>());
        List<Pending> unacknowledged = List.copyOf(changes);
        Response notification = new Response(ResponseCode.CONTENT);
        notification.setPayload(AttributeMessages.update(
                unacknowledged.stream().map(Pending::change).toList()));
        notification.getOptions().setContentFormat(MediaTypeRegistry.APPLICATION_JSON);
        if (!unacknowledged.isEmpty()) {
            long upTo = unacknowledged.getLast().number();
            notification.addMessageObserver(new MessageObserverAdapter() {
                @Override
                public void onAcknowledgement() {
                    changes.removeIf(p -> p.number() <= upTo);
                }
            });
        }
        return notification;
    }

    @Override
    public void removeObserveRelation(ObserveRelation relation) {
        super.removeObserveRelation(relation);
        pending.remove(relation);
        observations.release(relation);
    }
}
