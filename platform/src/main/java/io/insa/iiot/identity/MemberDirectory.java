package io.insa.iiot.identity;

import io.insa.iiot.tenancy.MemberAccounts;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** The user directory as tenancy's member endpoints see it: no password hash, no system-admin flag. */
@Component
class MemberDirectory implements MemberAccounts {

    private final UserAccounts users;

    MemberDirectory(UserAccounts users) {
        this.users = users;
    }

    @Override
    public String normalizeEmail(String email) {
        return UserAccounts.normalizeEmail(email);
    }

    @Override
    public Optional<Account> find(UUID id) {
        return users.find(id).map(MemberDirectory::account);
    }

    @Override
    public Optional<Account> findByEmail(String email) {
        return users.findByEmail(email).map(MemberDirectory::account);
    }

    @Override
    public List<Account> findAll(List<UUID> ids) {
        return users.findAll(ids).stream().map(MemberDirectory::account).toList();
    }

    private static Account account(UserAccount user) {
        return new Account(user.id(), user.email(), user.name(), user.status());
    }
}
