package io.insa.iiot.connector.opcua;

import io.insa.iiot.shared.Certificates;
import io.insa.iiot.shared.SealedSecrets;
import io.insa.iiot.shared.TenantId;
import io.insa.iiot.shared.TenantTransactions;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Each tenant's OPC UA application instance certificate, presented to its servers for Sign / SignAndEncrypt and for
 * certificate logins: a server's operator who trusts one tenant's connectors trusts no other tenant's. Generated on
 * first need and kept in {@code opcua_client_certificates} (under row-level security) with the private key sealed;
 * the certificate itself is public and shown in the API so that the server's operator can trust it.
 */
@Component
public class ClientCertificates {

    static final String APPLICATION_URI_PREFIX = "urn:insa:iiot:opcua-client:";

    /** A tenant's certificate and key; the key never leaves the platform. */
    public record Issued(TenantId tenant, X509Certificate certificate, KeyPair keyPair) {

        public String applicationUri() {
            return APPLICATION_URI_PREFIX + tenant.value();
        }

        String thumbprint(String algorithm) {
            return Certificates.thumbprint(certificate, algorithm);
        }

        String pem() {
            return Certificates.pem(certificate);
        }
    }

    private final JdbcClient jdbc;
    private final SealedSecrets secrets;
    private final TenantTransactions transactions;
    /** Certificates never change once issued: read once per tenant and node. */
    private final Map<TenantId, Issued> issued = new ConcurrentHashMap<>();

    ClientCertificates(JdbcClient jdbc, SealedSecrets secrets, TenantTransactions transactions) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.transactions = transactions;
    }

    /** The tenant's certificate, issued now if it has none. */
    public Issued of(TenantId tenant) {
        Issued known = issued.get(tenant);
        if (known != null) {
            return known;
        }
        Issued found = transactions.inTenant(tenant, () -> find(tenant).orElseGet(() -> issue(tenant)));
        issued.put(tenant, found);
        return found;
    }

    /** A fresh certificate, stored unless another node or thread stored one first (then that one is the tenant's). */
    private Issued issue(TenantId tenant) {
        Issued fresh = generate(tenant);
        try {
            int stored = jdbc.sql("""
                            INSERT INTO opcua_client_certificates (tenant_id, certificate, private_key_sealed, created_at)
                            VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING""")
                    .params(
                            tenant.value(),
                            fresh.certificate().getEncoded(),
                            secrets.seal(Base64.getEncoder()
                                    .encodeToString(fresh.keyPair().getPrivate().getEncoded())),
                            OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC))
                    .update();
            return stored == 1 ? fresh : find(tenant).orElseThrow();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a generated certificate has an encoding", e);
        }
    }

    private Optional<Issued> find(TenantId tenant) {
        return jdbc.sql("SELECT certificate, private_key_sealed FROM opcua_client_certificates WHERE tenant_id = ?")
                .param(tenant.value())
                .query((rs, row) -> read(tenant, rs.getBytes("certificate"), rs.getString("private_key_sealed")))
                .optional();
    }

    private Issued read(TenantId tenant, byte[] der, String sealedKey) {
        try {
            X509Certificate certificate = (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            PrivateKey key = KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(secrets.open(sealedKey))));
            return new Issued(tenant, certificate, new KeyPair(certificate.getPublicKey(), key));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the OPC UA client certificate of tenant " + tenant + " cannot be read", e);
        }
    }

    private static Issued generate(TenantId tenant) {
        try {
            KeyPair keyPair = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
            X509Certificate certificate = new SelfSignedCertificateBuilder(keyPair)
                    .setCommonName("INSA IIoT Platform")
                    .setOrganization("INSA IIoT")
                    .setOrganizationalUnit("tenant " + tenant.value())
                    .setApplicationUri(APPLICATION_URI_PREFIX + tenant.value())
                    .addDnsName("localhost")
                    .build();
            return new Issued(tenant, certificate, keyPair);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate an OPC UA client certificate", e);
        }
    }
}
