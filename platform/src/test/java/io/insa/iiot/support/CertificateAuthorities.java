package io.insa.iiot.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** A tenant's CAs through the API: added (unverified), and verified by proof of possession. */
public final class CertificateAuthorities {

    private final Api api;

    public CertificateAuthorities(Api api) {
        this.api = api;
    }

    /** Adds the CA (201) and returns its answer: id, verified = false, verification_code. */
    public JsonNode add(String adminToken, TestCertificates.Issued ca, boolean autoProvision) {
        Api.Response created = api.post(
                        "/api/v1/ca-certificates", Map.of("certificate_pem", ca.pem(), "auto_provision", autoProvision))
                .bearer(adminToken)
                .send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json();
    }

    /** Proves possession of the CA's key: a certificate it signed whose CN is the verification code. */
    public Api.Response verify(String adminToken, UUID id, TestCertificates.Issued ca, String code) {
        return api.post(
                        "/api/v1/ca-certificates/" + id + "/verify",
                        Map.of(
                                "certificate_pem",
                                TestCertificates.signed(ca, code).pem()))
                .bearer(adminToken)
                .send();
    }

    /** Adds and verifies the CA; returns its id. */
    public UUID addVerified(String adminToken, TestCertificates.Issued ca) {
        JsonNode created = add(adminToken, ca, true);
        UUID id = UUID.fromString(created.get("id").asString());
        Api.Response verified =
                verify(adminToken, id, ca, created.get("verification_code").asString());
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        return id;
    }

    /** The tenant's slug, which a device names itself with ({@code <slug>/<device name>}). */
    public String slug(String token, UUID tenant) {
        Api.Response response =
                api.get("/api/v1/tenants/" + tenant).bearer(token).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().get("slug").asString();
    }
}
