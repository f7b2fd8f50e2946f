package io.insa.iiot.identity;

import io.insa.iiot.shared.ProblemException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.passay.FailureRuleResult;
import org.passay.PasswordData;
import org.passay.RuleResult;
import org.passay.RuleResultDetail;
import org.passay.SuccessRuleResult;
import org.passay.dictionary.ArrayWordList;
import org.passay.dictionary.WordListDictionary;
import org.passay.dictionary.sort.ArraysSort;
import org.passay.rule.DictionaryRule;
import org.passay.rule.HistoryRule;
import org.passay.rule.LengthRule;
import org.passay.rule.MatchBehavior;
import org.passay.rule.Rule;
import org.passay.rule.UsernameRule;
import org.passay.support.HistoricalReference;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;

/**
 * The rules a password meets when it is set (SPEC 9): accepting an invitation, changing one's password,
 * the configured system administrator. Stored hashes are never judged again (legacy imports keep theirs).
 * Each rule is a Passay rule checked on its own, so a refusal names every rule the password breaks
 * rather than the first.
 */
@Component
class PasswordPolicy {

    static final int MIN_CHARACTERS = 12;
    /** Shorter e-mail local parts and name words ("li", "jo") would refuse too many good passwords. */
    static final int MIN_PERSONAL_CHARACTERS = 3;

    static final String COMMON_PASSWORDS = "/security/common-passwords.txt.gz";

    /** A broken rule: its stable name (the problem's {@code violations}) and what the detail says. */
    enum Violation {
        TOO_SHORT("too_short", "must be at least " + MIN_CHARACTERS + " characters"),
        TOO_LONG("too_long", "must be at most " + Passwords.MAX_BYTES + " bytes in UTF-8"),
        COMMON_PASSWORD("common_password", "is one of the 100,000 most common passwords"),
        CONTAINS_EMAIL("contains_email", "must not contain the part of the e-mail address before the @"),
        CONTAINS_NAME("contains_name", "must not contain the user's name or a word of it"),
        SAME_AS_CURRENT("same_as_current", "must differ from the current password");

        private final String code;
        private final String message;

        Violation(String code, String message) {
            this.code = code;
            this.message = message;
        }

        String code() {
            return code;
        }

        String message() {
            return message;
        }
    }

    /** Whose password it is, as far as the caller knows: {@code name} and {@code currentPassword} may be null. */
    record Owner(String email, String name, String currentPassword) {

        /** Somebody choosing their first password. */
        static Owner newAccount(String email, String name) {
            return new Owner(email, name, null);
        }
    }

    private static final Rule LENGTH = new LengthRule(MIN_CHARACTERS, Integer.MAX_VALUE);
    private static final Rule CONTAINS_USER_ID = new UsernameRule(false, true, MatchBehavior.Contains);
    private static final Rule SAME_AS_REFERENCE = new HistoryRule();

    private static final Rule BCRYPT_BYTES = PasswordPolicy::withinBcryptBytes;

    /**
     * Loaded when a password is first set, not at start (a third of a second of the start-up otherwise):
     * a sorted array, binary-searched case-insensitively.
     */
    private final Supplier<Rule> commonPasswords = SingletonSupplier.of(() -> new DictionaryRule(
            new WordListDictionary(new ArrayWordList(loadCommonPasswords(), false, new ArraysSort()))));

    /** Refuses with 400 naming every broken rule, in {@code detail} and as {@code violations}. */
    void require(String field, String password, Owner owner) {
        List<Violation> broken = violations(password, owner);
        if (!broken.isEmpty()) {
            throw ProblemException.badRequest(
                            field, broken.stream().map(Violation::message).collect(Collectors.joining("; ")))
                    .withProperty(
                            "violations", broken.stream().map(Violation::code).toList());
        }
    }

    /** The rules the password breaks, in the order of {@link Violation}; empty when it is acceptable. */
    List<Violation> violations(String password, Owner owner) {
        String raw = password == null ? "" : password;
        PasswordData plain = new PasswordData(raw);
        List<Check> checks = new ArrayList<>(List.of(
                new Check(Violation.TOO_SHORT, LENGTH, plain),
                new Check(Violation.TOO_LONG, BCRYPT_BYTES, plain),
                new Check(Violation.COMMON_PASSWORD, commonPasswords.get(), plain)));
        String localPart = localPart(owner.email());
        if (personal(localPart)) {
            checks.add(new Check(Violation.CONTAINS_EMAIL, CONTAINS_USER_ID, new PasswordData(localPart, raw)));
        }
        // one word at a time: a plain search per word, where a substring dictionary would search every
        // substring of a password that can be a megabyte long
        for (String word : nameWords(owner.name())) {
            checks.add(new Check(Violation.CONTAINS_NAME, CONTAINS_USER_ID, new PasswordData(word, raw)));
        }
        if (owner.currentPassword() != null) {
            checks.add(new Check(
                    Violation.SAME_AS_CURRENT,
                    SAME_AS_REFERENCE,
                    new PasswordData("", raw, List.of(new HistoricalReference(owner.currentPassword())))));
        }
        EnumSet<Violation> broken = EnumSet.noneOf(Violation.class);
        for (Check check : checks) {
            if (!broken.contains(check.violation()) && check.broken()) {
                broken.add(check.violation());
            }
        }
        return List.copyOf(broken);
    }

    /** One Passay rule applied to the data it reads (the password, and the user id or reference it compares). */
    private record Check(Violation violation, Rule rule, PasswordData data) {

        boolean broken() {
            return !rule.validate(data).isValid();
        }
    }

    /** bcrypt reads only the first 72 bytes: a longer password would be cut without anybody noticing. */
    private static RuleResult withinBcryptBytes(PasswordData data) {
        if (Passwords.tooLongForBcrypt(data.getPassword().toString())) {
            return new FailureRuleResult(
                    new RuleResultDetail("TOO_MANY_BYTES", Map.of("maximumBytes", Passwords.MAX_BYTES)));
        }
        return new SuccessRuleResult();
    }

    private static String localPart(String email) {
        if (email == null) {
            return "";
        }
        int at = email.lastIndexOf('@');
        return at < 0 ? email : email.substring(0, at);
    }

    private static List<String> nameWords(String name) {
        if (name == null) {
            return List.of();
        }
        return Arrays.stream(name.split("[^\\p{L}\\p{N}]+"))
                .filter(PasswordPolicy::personal)
                .map(word -> word.toLowerCase(Locale.ROOT))
                .distinct()
                .toList();
    }

    private static boolean personal(String text) {
        return text.codePointCount(0, text.length()) >= MIN_PERSONAL_CHARACTERS;
    }

    private static String[] loadCommonPasswords() {
        try (InputStream resource = PasswordPolicy.class.getResourceAsStream(COMMON_PASSWORDS)) {
            if (resource == null) {
                throw new IllegalStateException(
                        "the common-password list " + COMMON_PASSWORDS + " is not on the classpath");
            }
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(new GZIPInputStream(resource), StandardCharsets.UTF_8));
            return lines.lines()
                    .filter(line -> !line.isEmpty())
                    .map(line -> line.toLowerCase(Locale.ROOT))
                    .distinct()
                    .toArray(String[]::new);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the common-password list " + COMMON_PASSWORDS, e);
        }
    }
}
