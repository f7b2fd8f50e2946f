package io.insa.iiot.identity;

import dev.samstevens.totp.code.CodeGenerator;
import dev.samstevens.totp.code.DefaultCodeGenerator;
import dev.samstevens.totp.code.HashingAlgorithm;
import dev.samstevens.totp.exceptions.CodeGenerationException;
import dev.samstevens.totp.exceptions.QrGenerationException;
import dev.samstevens.totp.qr.QrData;
import dev.samstevens.totp.qr.ZxingPngQrGenerator;
import dev.samstevens.totp.recovery.RecoveryCodeGenerator;
import dev.samstevens.totp.secret.DefaultSecretGenerator;
import dev.samstevens.totp.util.Utils;
import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.SealedSecrets;
import io.insa.iiot.shared.Secrets;
import io.insa.iiot.shared.TenantTransactions;
import io.insa.iiot.shared.Times;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * TOTP multi-factor authentication (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock drift either
 * way) with ten single-use recovery codes. A code is accepted once: its time step must be newer than
 * the last one accepted, which the database decides, so two logins racing with one code cannot both win.
 */
@Component
class Mfa {

    static final String ISSUER = "INSA IIoT";
    static final int RECOVERY_CODES = 10;
    static final int PERIOD_S = 30;
    static final int DIGITS = 6;

    /** What a login's second factor came to. */
    enum Check {
        /** The user has no MFA: nothing was asked. */
        NOT_ENROLLED,
        /** Neither a TOTP nor a recovery code was given. */
        MISSING,
        WRONG,
        ACCEPTED,
        ACCEPTED_RECOVERY_CODE
    }

    /** A new secret for the user's authenticator app, as text, as an otpauth URI and as a QR code image. */
    record Enrolment(String secret, String otpauthUri, String qrCode) {}

    private final MfaRepository mfa;
    private final UserRepository users;
    private final SealedSecrets sealed;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final CodeGenerator codes = new DefaultCodeGenerator(HashingAlgorithm.SHA1, DIGITS);

    Mfa(MfaRepository mfa, UserRepository users, SealedSecrets sealed, TenantTransactions transactions, Clock clock) {
        this.mfa = mfa;
        this.users = users;
        this.sealed = sealed;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Starts enrolment (again, if unconfirmed); refused while MFA is on. */
    Enrolment enroll(UserAccount user) {
        if (user.mfaEnabled()) {
            throw ProblemException.conflict("multi-factor authentication is on already: disable it first");
        }
        String secret = new DefaultSecretGenerator(32).generate();
        transactions.global(() -> {
            mfa.begin(user.id(), sealed.seal(secret), Times.now(clock));
            return null;
        });
        QrData uri = new QrData.Builder()
                .label(user.email())
                .secret(secret)
                .issuer(ISSUER)
                .algorithm(HashingAlgorithm.SHA1)
                .digits(DIGITS)
                .period(PERIOD_S)
                .build();
        return new Enrolment(secret, uri.getUri(), qrCode(uri));
    }

    /** Confirms enrolment with a first code; MFA is on from now and the recovery codes are shown this once. */
    List<String> confirm(UserAccount user, String code) {
        MfaRepository.Enrolment pending = transactions
                .global(() -> mfa.find(user.id()))
                .filter(e -> e.confirmedAt() == null)
                .orElseThrow(() -> ProblemException.conflict(
                        user.mfaEnabled()
                                ? "multi-factor authentication is on already"
                                : "no enrolment to confirm: POST /api/v1/auth/mfa/enroll first"));
        if (!spendTotp(user.id(), sealed.open(pending.secretSealed()), code)) {
            throw ProblemException.badRequest("code", "is not the current code of the authenticator app");
        }
        List<String> recovery = Arrays.asList(new RecoveryCodeGenerator().generateCodes(RECOVERY_CODES));
        transactions.global(() -> {
            mfa.confirm(user.id(), Times.now(clock));
            mfa.replaceRecoveryCodes(user.id(), recovery.stream().map(Mfa::hash).toList());
            users.updateMfaEnabled(user.id(), true);
            return null;
        });
        return recovery;
    }

    /** Checks a login's second factor; a TOTP code or recovery code is spent when accepted. */
    Check check(UserAccount user, String totpCode, String recoveryCode) {
        if (!user.mfaEnabled()) {
            return Check.NOT_ENROLLED;
        }
        boolean hasTotp = totpCode != null && !totpCode.isBlank();
        boolean hasRecovery = recoveryCode != null && !recoveryCode.isBlank();
        if (!hasTotp && !hasRecovery) {
            return Check.MISSING;
        }
        if (hasRecovery) {
            boolean spent =
                    transactions.global(() -> mfa.spendRecoveryCode(user.id(), hash(recoveryCode), Times.now(clock)));
            return spent ? Check.ACCEPTED_RECOVERY_CODE : Check.WRONG;
        }
        return transactions
                        .global(() -> mfa.find(user.id()))
                        .filter(e -> e.confirmedAt() != null)
                        .map(e -> spendTotp(user.id(), sealed.open(e.secretSealed()), totpCode))
                        .orElse(false)
                ? Check.ACCEPTED
                : Check.WRONG;
    }

    /** True when the code is an unused TOTP code or an unused recovery code (spent now either way). */
    boolean verifies(UserAccount user, String code) {
        return check(user, code, null) == Check.ACCEPTED || check(user, null, code) == Check.ACCEPTED_RECOVERY_CODE;
    }

    long unusedRecoveryCodes(UUID userId) {
        return transactions.global(() -> mfa.unusedRecoveryCodes(userId));
    }

    /** Turns MFA off: the secret and recovery codes are gone. Runs in the caller's transaction. */
    void remove(UUID userId) {
        mfa.delete(userId);
        users.updateMfaEnabled(userId, false);
    }

    private boolean spendTotp(UUID userId, String secret, String code) {
        String typed = code == null ? "" : code.replace(" ", "");
        long now = clock.millis() / 1000 / PERIOD_S;
        for (long step = now - 1; step <= now + 1; step++) {
            if (MessageDigest.isEqual(
                    generate(secret, step).getBytes(StandardCharsets.US_ASCII),
                    typed.getBytes(StandardCharsets.US_ASCII))) {
                long accepted = step;
                return transactions.global(() -> mfa.spendStep(userId, accepted));
            }
        }
        return false;
    }

    private String generate(String secret, long step) {
        try {
            return codes.generate(secret, step);
        } catch (CodeGenerationException e) {
            throw new IllegalStateException("TOTP code generation failed", e);
        }
    }

    private static String qrCode(QrData data) {
        try {
            var generator = new ZxingPngQrGenerator();
            return Utils.getDataUriForImage(generator.generate(data), generator.getImageMimeType());
        } catch (QrGenerationException e) {
            throw new IllegalStateException("QR code generation failed", e);
        }
    }

    /** Recovery codes carry 80 random bits: a plain SHA-256 of the normalized code is enough. */
    private static String hash(String recoveryCode) {
        return Secrets.sha256Hex(recoveryCode.strip().toLowerCase(Locale.ROOT));
    }
}
