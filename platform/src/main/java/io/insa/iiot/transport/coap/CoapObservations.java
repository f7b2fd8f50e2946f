package io.insa.iiot.transport.coap;

import io.insa.iiot.transport.DeviceEdge;
import io.insa.iiot.transport.DeviceSessions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * The observations of one resource, each lasting while the credentials it was opened with hold: what
 * an observation listens to is released when Californium removes it, and when the device is deleted
 * or its token rotated, its next notification is a 4.01, which ends it.
 */
final class CoapObservations {

    /** What an observation holds while it lasts. */
    private record Held(Runnable stopListening, DeviceSessions.Registration session) {}

    private final CoapResource resource;
    private final DeviceEdge edge;
    private final CoapRequests requests;
    private final Map<ObserveRelation, Held> held = new ConcurrentHashMap<>();
    /** Observations whose credentials were revoked: their next notification ends them. */
    private final Set<ObserveRelation> revoked = ConcurrentHashMap.newKeySet();

    /** Makes {@code resource} observable, each notification confirmable. */
    CoapObservations(CoapResource resource, DeviceEdge edge, CoapRequests requests) {
        this.resource = resource;
        this.edge = edge;
        this.requests = requests;
        resource.setObservable(true);
        resource.setObserveType(CoAP.Type.CON);
    }

    /**
     * The device of a GET on the resource, plain or observing; empty when the GET is answered here: the
     * notification that ends an observation whose credentials were revoked, or 4.01 for a token that
     * names no device.
     */
    Optional<DeviceEdge.Login> login(CoapExchange exchange) {
        ObserveRelation relation = exchange.advanced().getRelation();
        if (relation != null && revoked.remove(relation)) {
            exchange.respond(ResponseCode.UNAUTHORIZED, "the device's credentials were revoked");
            return Optional.empty();
        }
        return requests.loginOrRefuse(exchange);
    }

    boolean holds(ObserveRelation relation) {
        return held.containsKey(relation);
    }

    /**
     * A new observation, which stops listening when it ends; false (answered 4.01) when the
     * credentials were revoked between the lookup and now.
     */
    boolean open(ObserveRelation relation, DeviceEdge.Login login, Runnable stopListening, CoapExchange exchange) {
        held.put(relation, new Held(stopListening, edge.session(login, () -> {
            revoked.add(relation);
            resource.changed(r -> r == relation);
        })));
        if (revoked.remove(relation)) {
            release(relation); // never established: Californium will not remove it
            exchange.respond(ResponseCode.UNAUTHORIZED, "the device's credentials were revoked");
            return false;
        }
        return true;
    }

    /** The observation ended. */
    void release(ObserveRelation relation) {
        revoked.remove(relation);
        Held ended = held.remove(relation);
        if (ended != null) {
            ended.stopListening().run();
            ended.session().close();
        }
    }
}
