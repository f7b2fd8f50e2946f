package io.insa.iiot.identity;

import io.insa.iiot.audit.AuditEvent;
import io.insa.iiot.audit.AuditLog;
import io.insa.iiot.shared.DataDirectory;
import io.insa.iiot.shared.Secrets;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.UserStatus;
import io.insa.iiot.system.StartupTraining;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * First start: creates the system administrator from {@code insa.admin.email} and
 * {@code insa.admin.password}, or with a generated password that is printed once and kept in the data
 * directory (mode 0600).
 */
@Component
class AdminBootstrap implements ApplicationRunner {

    static final String PASSWORD_FILE = "admin-password.txt";
    static final String NAME = "System administrator";
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final UserAccounts users;
    private final Passwords passwords;
    private final DataDirectory dataDir;
    private final AuditLog audit;
    private final TenantTransactions transactions;
    private final String email;
    private final String password;
    private final boolean training;

    AdminBootstrap(
            UserAccounts users,
            Passwords passwords,
            DataDirectory dataDir,
            AuditLog audit,
            TenantTransactions transactions,
            @Value("${insa.admin.email}") String email,
            @Value("${insa.admin.password:}") String password,
            @Value("${" + StartupTraining.PROPERTY + ":false}") boolean training) {
        this.users = users;
        this.passwords = passwords;
        this.dataDir = dataDir;
        this.audit = audit;
        this.transactions = transactions;
        this.email = email;
        this.password = password;
        this.training = training;
    }

    @Override
    public void run(ApplicationArguments args) {
        // the AOT cache's training run leaves it to the real start, whose log the operator reads
        if (training || users.anySystemAdmin()) {
            return;
        }
        boolean generated = password.isBlank();
        String secret = generated ? Secrets.newToken().substring(0, 20) : password;
        if (!generated) {
            passwords.requireAcceptable("insa.admin.password", secret, PasswordPolicy.Owner.newAccount(email, NAME));
        }
        String hash = passwords.hash(secret);
        UserAccount admin = transactions.global(() -> {
            UserAccount created = users.create(email, NAME, hash, true, UserStatus.ACTIVE);
            audit.record(
                    AuditEvent.success(null, AuditEvent.Actor.system(), "user.bootstrap_admin", "user", created.id())
                            .withDetail("email", created.email()));
            return created;
        });
        if (generated) {
            var file = dataDir.writeSecret(PASSWORD_FILE, secret);
            // the password goes to the file only: logs are shipped and kept where the file's mode does not reach
            log.warn("""

                    ================================================================
                     System administrator created
                       e-mail:   {}
                       password: generated into {} (mode 0600)
                    ================================================================""", admin.email(), file);
        } else {
            log.info("system administrator {} created from insa.admin.email / insa.admin.password", admin.email());
        }
    }
}
