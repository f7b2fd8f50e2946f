package io.insa.iiot.connector.opcua.internal;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import io.insa.iiot.connector.opcua.ClientCertificates;
import io.insa.iiot.connector.opcua.ConnectorAddresses;
import io.insa.iiot.connector.opcua.OpcUaConnector;
import io.insa.iiot.connector.opcua.OpcUaSessions;
import io.insa.iiot.connector.opcua.internal.Failures.Failure;
import io.insa.iiot.shared.Certificates;
import io.insa.iiot.shared.OutboundAddresses;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.milo.opcua.sdk.client.DiscoveryClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClientConfig;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.identity.IdentityProvider;
import org.eclipse.milo.opcua.sdk.client.identity.UsernameProvider;
import org.eclipse.milo.opcua.sdk.client.identity.X509IdentityProvider;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.transport.TransportProfile;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.UserTokenType;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;

/**
 * Where and how securely a connector reaches its server at each attempt: the endpoint's address judged again, the
 * server's endpoint of the connector's security policy and mode at exactly that address, the server certificate shown
 * there (kept for the trust API, refused unless a tenant admin trusted it, for a secured channel and for a password
 * encrypted to it over security None) and the client configured with the tenant's certificate and the connector's
 * login.
 */
final class ServerEndpoint {

    private final OpcUaConnector connector;
    private final ConnectorAddresses addresses;
    private final boolean autoAcceptCertificates;
    private volatile OpcUaSessions.Certificate seenCertificate;

    ServerEndpoint(OpcUaConnector connector, ConnectorAddresses addresses, boolean autoAcceptCertificates) {
        this.connector = connector;
        this.addresses = addresses;
        this.autoAcceptCertificates = autoAcceptCertificates;
    }

    /** The server certificate shown at the last attempt that got that far. */
    Optional<OpcUaSessions.Certificate> seenCertificate() {
        return Optional.ofNullable(seenCertificate);
    }

    /** The client's configuration for one attempt, as the tenant's application instance. */
    OpcUaClientConfig configure(ClientCertificates.Issued certificate) throws Exception {
        return configure(endpoint(pinned()), certificate);
    }

    /** The endpoint's address, judged again for this attempt: the connection goes there and nowhere else. */
    private InetSocketAddress pinned() throws Failure {
        try {
            return addresses.pin(connector.tenant(), URI.create(connector.endpointUrl()));
        } catch (OutboundAddresses.RefusedAddressException e) {
            throw new Failure(Failures.ADDRESS_NOT_ALLOWED, e.getMessage());
        } catch (UnknownHostException e) {
            throw new Failure(Failures.REFUSED, "the host does not resolve");
        }
    }

    /**
     * The server's endpoint of the connector's policy and mode, reached at the pinned address: the URL the server
     * advertises is replaced, so a server cannot send the platform on to another host.
     */
    private EndpointDescription endpoint(InetSocketAddress pinned) throws Exception {
        String url = ConnectorAddresses.pinnedUrl(URI.create(connector.endpointUrl()), pinned);
        List<EndpointDescription> endpoints;
        try {
            endpoints = DiscoveryClient.getEndpoints(url).get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new Failure(Failures.REFUSED, "discovery failed: " + Failures.reason(e));
        }
        String policyUri = SecurityPolicy.valueOf(connector.securityPolicy()).getUri();
        MessageSecurityMode mode = MessageSecurityMode.valueOf(connector.securityMode());
        String binary = TransportProfile.TCP_UASC_UABINARY.getUri();
        EndpointDescription chosen = endpoints.stream()
                .filter(e -> policyUri.equals(e.getSecurityPolicyUri()) && e.getSecurityMode() == mode)
                .filter(e -> e.getTransportProfileUri() == null
                        || e.getTransportProfileUri().isEmpty()
                        || binary.equals(e.getTransportProfileUri()))
                .findFirst()
                .orElseThrow(() -> new UaException(
                        StatusCodes.Bad_SecurityPolicyRejected,
                        "the server offers no endpoint with security policy " + connector.securityPolicy()
                                + " and mode " + connector.securityMode()));
        if (chosen.getServerCertificate() != null
                && chosen.getServerCertificate().isNotNull()) {
            seenCertificate = describe(chosen.getServerCertificate().bytesOrEmpty());
        }
        if (mode != MessageSecurityMode.None && !autoAcceptCertificates) {
            OpcUaSessions.Certificate seen = seenCertificate;
            if (seen == null || !seen.thumbprint().equalsIgnoreCase(String.valueOf(connector.trustedThumbprint()))) {
                throw new UaException(
                        StatusCodes.Bad_CertificateUntrusted,
                        "the server certificate " + (seen == null ? "(none)" : seen.thumbprint())
                                + " is not trusted: a tenant admin trusts it with POST .../trust-server-certificate");
            }
        }
        if (connector.auth().type().equals("username")) {
            passwordProtection(chosen);
        }
        return new EndpointDescription(
                url,
                chosen.getServer(),
                chosen.getServerCertificate(),
                chosen.getSecurityMode(),
                chosen.getSecurityPolicyUri(),
                chosen.getUserIdentityTokens(),
                binary,
                chosen.getSecurityLevel());
    }

    /**
     * Whether the connector's password may go to this endpoint, refused before anything is sent: it goes encrypted to
     * the server's certificate, which over security None no secure channel has validated, so a tenant admin must have
     * trusted it; in clear text only inside a SignAndEncrypt channel.
     */
    private void passwordProtection(EndpointDescription endpoint) throws Failure {
        UserTokenPolicy policy = usernamePolicy(endpoint)
                .orElseThrow(() -> new Failure(
                        Failures.SECURITY,
                        "the endpoint offers no username login that keeps the password from the network in clear"
                                + " text"));
        boolean encrypted = !SecurityPolicy.None.getUri().equals(tokenSecurityPolicy(endpoint, policy));
        if (encrypted && endpoint.getSecurityMode() == MessageSecurityMode.None && !autoAcceptCertificates) {
            OpcUaSessions.Certificate seen = seenCertificate;
            if (seen == null || !seen.thumbprint().equalsIgnoreCase(String.valueOf(connector.trustedThumbprint()))) {
                throw new Failure(
                        Failures.SECURITY,
                        "a username login over security None encrypts the password to the server certificate "
                                + (seen == null ? "(none)" : seen.thumbprint())
                                + ", which is not trusted: a tenant admin trusts it with POST"
                                + " .../trust-server-certificate");
            }
        }
    }

    /**
     * The endpoint's first username token policy that protects the password: encrypted to the server's certificate,
     * or in clear text inside a SignAndEncrypt channel.
     */
    static Optional<UserTokenPolicy> usernamePolicy(EndpointDescription endpoint) {
        UserTokenPolicy[] policies = endpoint.getUserIdentityTokens();
        return Stream.of(policies == null ? new UserTokenPolicy[0] : policies)
                .filter(p -> p.getTokenType() == UserTokenType.UserName)
                .filter(p -> endpoint.getSecurityMode() == MessageSecurityMode.SignAndEncrypt
                        || !SecurityPolicy.None.getUri().equals(tokenSecurityPolicy(endpoint, p)))
                .findFirst();
    }

    /** The policy the password is encrypted with: the token's own, else the endpoint's (as Milo reads it). */
    private static String tokenSecurityPolicy(EndpointDescription endpoint, UserTokenPolicy policy) {
        String uri = policy.getSecurityPolicyUri();
        return uri == null || uri.isEmpty() ? endpoint.getSecurityPolicyUri() : uri;
    }

    private OpcUaClientConfig configure(EndpointDescription endpoint, ClientCertificates.Issued certificate) {
        OpcUaSessions.Certificate trusted = seenCertificate;
        CertificateValidator validator = (chain, applicationUri, hostnames) -> {
            if (autoAcceptCertificates) {
                return;
            }
            OpcUaSessions.Certificate presented = describe(chain.getFirst());
            if (trusted == null || !presented.thumbprint().equalsIgnoreCase(trusted.thumbprint())) {
                throw new UaException(StatusCodes.Bad_CertificateUntrusted, "the server presented another certificate");
            }
        };
        return OpcUaClientConfig.builder()
                .setApplicationName(LocalizedText.english("INSA IIoT Platform"))
                .setApplicationUri(certificate.applicationUri())
                .setProductUri("urn:insa:iiot")
                .setKeyPair(certificate.keyPair())
                .setCertificate(certificate.certificate())
                .setCertificateChain(new X509Certificate[] {certificate.certificate()})
                .setCertificateValidator(validator)
                .setIdentityProvider(identity(certificate, endpoint))
                .setRequestTimeout(uint(10_000))
                .setEndpoint(endpoint)
                .build();
    }

    private IdentityProvider identity(ClientCertificates.Issued certificate, EndpointDescription endpoint) {
        return switch (connector.auth().type()) {
            // the policy passwordProtection admitted; the certificate Milo encrypts to over security None checked
            // again against the trusted one
            case "username" ->
                new UsernameProvider(
                        connector.auth().username(),
                        connector.auth().password(),
                        trustedOnly(),
                        policies -> usernamePolicy(endpoint).orElseThrow());
            case "certificate" ->
                new X509IdentityProvider(
                        certificate.certificate(), certificate.keyPair().getPrivate());
            default -> new AnonymousProvider();
        };
    }

    /** Admits only the certificate a tenant admin trusted (any while certificates are auto-accepted). */
    private CertificateValidator trustedOnly() {
        String trusted = connector.trustedThumbprint();
        return (chain, applicationUri, hostnames) -> {
            if (!autoAcceptCertificates
                    && (chain.isEmpty()
                            || !describe(chain.getFirst()).thumbprint().equalsIgnoreCase(String.valueOf(trusted)))) {
                throw new UaException(StatusCodes.Bad_CertificateUntrusted, "the server certificate is not trusted");
            }
        };
    }

    private static OpcUaSessions.Certificate describe(byte[] der) {
        try {
            X509Certificate cert = (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            return describe(cert);
        } catch (Exception e) {
            throw new IllegalArgumentException("the server certificate cannot be read", e);
        }
    }

    private static OpcUaSessions.Certificate describe(X509Certificate cert) {
        try {
            String thumbprint = Certificates.thumbprint(cert, "SHA-1");
            String pem = Certificates.pem(cert);
            return new OpcUaSessions.Certificate(
                    thumbprint,
                    cert.getSubjectX500Principal().getName(),
                    cert.getNotAfter().toInstant(),
                    pem,
                    false);
        } catch (Exception e) {
            throw new IllegalArgumentException("the server certificate cannot be read", e);
        }
    }
}
