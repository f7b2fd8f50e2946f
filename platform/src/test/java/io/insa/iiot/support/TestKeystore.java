package io.insa.iiot.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A self-signed PKCS#12 keystore for the TLS listeners under test, made once with the JDK's keytool. */
public final class TestKeystore {

    public static final String PASSWORD = "test-keystore-pass";
    private static Path path;

    private TestKeystore() {}

    /** What a TLS client trusts to reach the listeners under test. */
    public static javax.net.ssl.TrustManagerFactory trustManagers() {
        try (var in = Files.newInputStream(get())) {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            javax.net.ssl.TrustManagerFactory trust = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            return trust;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the test keystore", e);
        }
    }

    public static synchronized Path get() {
        if (path == null) {
            try {
                Path dir = Files.createDirectories(Path.of("target", "it-keystore"));
                Path file = dir.resolve("server-" + ProcessHandle.current().pid() + ".p12");
                Files.deleteIfExists(file);
                String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool")
                        .toString();
                Process process = new ProcessBuilder(
                                keytool,
                                "-genkeypair",
                                "-alias",
                                "server",
                                "-keyalg",
                                "EC",
                                "-groupname",
                                "secp256r1",
                                "-sigalg",
                                "SHA256withECDSA",
                                "-dname",
                                "CN=localhost",
                                "-ext",
                                "SAN=dns:localhost,ip:127.0.0.1",
                                "-validity",
                                "2",
                                "-storetype",
                                "PKCS12",
                                "-keystore",
                                file.toString(),
                                "-storepass",
                                PASSWORD)
                        .redirectErrorStream(true)
                        .start();
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException("keytool failed: "
                            + new String(process.getInputStream().readAllBytes()));
                }
                path = file.toAbsolutePath();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return path;
    }
}
