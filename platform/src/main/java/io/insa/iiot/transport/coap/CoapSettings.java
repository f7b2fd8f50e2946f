package io.insa.iiot.transport.coap;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The CoAP listeners ({@code insa.coap.*}).
 *
 * @param enabled whether the CoAP server runs at all
 * @param host address to bind
 * @param port UDP port (5683; 0 picks a free port)
 */
@ConfigurationProperties("insa.coap")
record CoapSettings(boolean enabled, String host, int port) {}
