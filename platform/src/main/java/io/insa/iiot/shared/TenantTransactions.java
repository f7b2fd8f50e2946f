package io.insa.iiot.shared;

import java.util.Collection;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one way application code reaches the database: every unit of work runs in a transaction whose
 * tenant context ({@code app.tenant_id}, read by the row-level security policies) is set first.
 *
 * <p>The tenant passed in must come from the authenticated caller or from a decision already made on
 * its behalf (an access check, a device's credentials), never straight from request input.
 */
@Component
public class TenantTransactions {

    private static final Object TENANT_KEY = TenantTransactions.class.getName() + ".tenant";
    private static final Object NO_TENANT = new Object();

    private final JdbcClient jdbc;
    private final TransactionTemplate required;
    private final TransactionTemplate requiresNew;

    public TenantTransactions(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.required = new TransactionTemplate(transactions);
        this.requiresNew = new TransactionTemplate(transactions);
        this.requiresNew.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** Runs {@code work} with tenant-owned rows of {@code tenant} visible, and only those. */
    public <T> T inTenant(TenantId tenant, Supplier<T> work) {
        return inContext(Objects.requireNonNull(tenant, "tenant"), work);
    }

    public void inTenant(TenantId tenant, Runnable work) {
        inTenant(tenant, () -> {
            work.run();
            return null;
        });
    }

    /**
     * Runs {@code work} in the context of {@code tenant}, or of no tenant at all when it is null (where
     * tenant-owned tables show no rows and accept none). Joins the running transaction when its context
     * is the same, otherwise starts a new one.
     */
    public <T> T inContext(TenantId tenant, Supplier<T> work) {
        Object context = tenant == null ? NO_TENANT : tenant;
        Object current = TransactionSynchronizationManager.getResource(TENANT_KEY);
        boolean active = TransactionSynchronizationManager.isActualTransactionActive();
        if (active && context.equals(current)) {
            return work.get();
        }
        return (active ? requiresNew : required).execute(status -> {
            setContext(tenant == null ? "" : tenant.value().toString());
            Object outer = TransactionSynchronizationManager.unbindResourceIfPossible(TENANT_KEY);
            TransactionSynchronizationManager.bindResource(TENANT_KEY, context);
            try {
                return work.get();
            } finally {
                TransactionSynchronizationManager.unbindResource(TENANT_KEY);
                if (outer != null) {
                    TransactionSynchronizationManager.bindResource(TENANT_KEY, outer);
                }
            }
        });
    }

    /**
     * One transaction that visits several tenants in turn, each under its own context: how a batch
     * holding several tenants' data is committed at once without leaving row-level security.
     */
    public void inEachTenant(Collection<TenantId> tenants, Consumer<TenantId> work) {
        TransactionTemplate template =
                TransactionSynchronizationManager.isActualTransactionActive() ? requiresNew : required;
        template.executeWithoutResult(status -> {
            Object outer = TransactionSynchronizationManager.unbindResourceIfPossible(TENANT_KEY);
            try {
                for (TenantId tenant : tenants) {
                    setContext(tenant.value().toString());
                    TransactionSynchronizationManager.bindResource(TENANT_KEY, tenant);
                    try {
                        work.accept(tenant);
                    } finally {
                        TransactionSynchronizationManager.unbindResource(TENANT_KEY);
                    }
                }
            } finally {
                if (outer != null) {
                    TransactionSynchronizationManager.bindResource(TENANT_KEY, outer);
                }
            }
        });
    }

    /**
     * Runs {@code work} on global tables (tenants, users, sessions) and the named cross-tenant
     * functions. Joins a running transaction whatever its tenant, since global tables have no policy.
     */
    public <T> T global(Supplier<T> work) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return work.get();
        }
        return inContext(null, work);
    }

    public void global(Runnable work) {
        global(() -> {
            work.run();
            return null;
        });
    }

    private void setContext(String tenant) {
        jdbc.sql("SELECT set_config('app.tenant_id', ?, true)")
                .param(tenant)
                .query(String.class)
                .single();
    }

    /**
     * Runs {@code work} once the running transaction has committed, or at once when none runs: for
     * what must not happen before a change is visible to everyone, such as evicting a cache that a
     * concurrent reader could otherwise fill again with the old value.
     */
    public static void afterCommit(Runnable work) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            work.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                work.run();
            }
        });
    }

    /** The tenant of the running transaction, or null. */
    public static TenantId currentTenant() {
        return TransactionSynchronizationManager.getResource(TENANT_KEY) instanceof TenantId t ? t : null;
    }
}
