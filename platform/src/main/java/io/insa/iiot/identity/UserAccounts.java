package io.insa.iiot.identity;

import io.insa.iiot.shared.Ids;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import io.insa.iiot.shared.UserStatus;
import io.insa.iiot.tenancy.MfaEnrolments;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** The user directory. */
@Service
public class UserAccounts implements MfaEnrolments {

    private final UserRepository users;
    private final TenantTransactions transactions;
    private final Clock clock;

    UserAccounts(UserRepository users, TenantTransactions transactions, Clock clock) {
        this.users = users;
        this.transactions = transactions;
        this.clock = clock;
    }

    public static String normalizeEmail(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    public Optional<UserAccount> find(UUID id) {
        return transactions.global(() -> users.find(id));
    }

    @Override
    public boolean hasMfa(UUID userId) {
        return find(userId).filter(UserAccount::mfaEnabled).isPresent();
    }

    public UserAccount require(UUID id) {
        return find(id).orElseThrow(() -> ProblemException.notFound("user " + id));
    }

    public Optional<UserAccount> findByEmail(String email) {
        return transactions.global(() -> users.findByEmail(normalizeEmail(email)));
    }

    public List<UserAccount> findAll(List<UUID> ids) {
        return transactions.global(() -> users.findAll(ids));
    }

    UserAccount create(String email, String name, String passwordHash, boolean admin, UserStatus status) {
        UserAccount user = new UserAccount(
                Ids.newId(), normalizeEmail(email), name, passwordHash, admin, status, false, Times.now(clock), null);
        boolean inserted = transactions.global(() -> users.insert(user));
        if (!inserted) {
            throw ProblemException.conflict("a user with e-mail " + user.email() + " already exists");
        }
        return user;
    }

    boolean anySystemAdmin() {
        return transactions.global(users::anySystemAdmin);
    }
}
