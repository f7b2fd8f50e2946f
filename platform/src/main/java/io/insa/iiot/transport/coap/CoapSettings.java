package io.insa.iiot.transport.coap;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The CoAP listeners ({@code insa.coap.*}).
 *
 * @param enabled whether the CoAP server runs at all
 * @param host address to bind
 * @param port UDP port (5683; 0 picks a free port)
 * @param dtls the DTLS listener beside the plain one
 */
@ConfigurationProperties("insa.coap")
record CoapSettings(boolean enabled, String host, int port, Dtls dtls) {

    /**
     * @param keystore PKCS#12 with the server's key and certificate; sign the certificate with SHA-256
     *     (e.g. SHA256withECDSA), the only hash many DTLS clients offer
     */
    record Dtls(boolean enabled, int port, String keystore, String keystorePassword) {}
}
