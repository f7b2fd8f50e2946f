package io.insa.iiot.transport;

import io.insa.iiot.shared.ServerKeystore;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PfxOptions;
import java.util.Locale;
import org.springframework.stereotype.Component;

/** The key a TLS listener serves: its own keystore when configured, else the platform's (as HTTPS). */
@Component
public class TransportKeystores {

    private final ServerKeystore server;

    TransportKeystores(ServerKeystore server) {
        this.server = server;
    }

    public KeyCertOptions options(String keystore, String password) {
        if (keystore == null || keystore.isBlank()) {
            return options(server.path().toString(), server.password(), server.type());
        }
        return options(keystore, password, keystore.toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12");
    }

    private static KeyCertOptions options(String path, String password, String type) {
        return "JKS".equals(type)
                ? new JksOptions().setPath(path).setPassword(password)
                : new PfxOptions().setPath(path).setPassword(password);
    }
}
