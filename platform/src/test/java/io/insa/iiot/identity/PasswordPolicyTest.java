package io.insa.iiot.identity;

import static io.insa.iiot.identity.PasswordPolicy.Violation.COMMON_PASSWORD;
import static io.insa.iiot.identity.PasswordPolicy.Violation.CONTAINS_EMAIL;
import static io.insa.iiot.identity.PasswordPolicy.Violation.CONTAINS_NAME;
import static io.insa.iiot.identity.PasswordPolicy.Violation.SAME_AS_CURRENT;
import static io.insa.iiot.identity.PasswordPolicy.Violation.TOO_LONG;
import static io.insa.iiot.identity.PasswordPolicy.Violation.TOO_SHORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.insa.iiot.identity.PasswordPolicy.Owner;
import io.insa.iiot.identity.PasswordPolicy.Violation;
import io.insa.iiot.shared.ProblemException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each rule of the password policy on its own, then all of them in one refusal. */
class PasswordPolicyTest {

    /** Loads the 100,000-line list once for the class, as the application does when a password is first set. */
    private static final PasswordPolicy POLICY = new PasswordPolicy();

    private static final Owner NEWCOMER = Owner.newAccount("ines.invitee@plant.example", "Ines Invitee");

    private static List<Violation> judge(String password) {
        return POLICY.violations(password, NEWCOMER);
    }

    @Test
    void aLongUncommonImpersonalPasswordBreaksNoRule() {
        assertThat(judge("correct-horse-battery-staple-7")).isEmpty();
    }

    @Test
    void tooShortCountsCharactersNotBytesAndNeedsTwelve() {
        assertThat(judge("short-pass1")).as("11 characters").containsExactly(TOO_SHORT);
        assertThat(judge("short-pass12")).as("12 characters").isEmpty();
        assertThat(judge("é".repeat(12))).as("12 characters, 24 bytes").isEmpty();
        assertThat(judge("😀".repeat(11))).as("11 code points, 22 UTF-16 units").containsExactly(TOO_SHORT);
        assertThat(judge("")).containsExactly(TOO_SHORT);
        assertThat(judge(null)).containsExactly(TOO_SHORT);
    }

    @Test
    void tooLongCountsUtf8BytesUpToBcryptsSeventyTwo() {
        assertThat(judge("x".repeat(72))).isEmpty();
        assertThat(judge("x".repeat(73))).containsExactly(TOO_LONG);
        assertThat(judge("é".repeat(36))).as("36 characters, 72 bytes").isEmpty();
        assertThat(judge("é".repeat(37))).as("37 characters, 74 bytes").containsExactly(TOO_LONG);
    }

    @Test
    void commonPasswordMatchesTheWholeListIgnoringCase() {
        assertThat(judge("password1234")).containsExactly(COMMON_PASSWORD);
        assertThat(judge("PassWord1234")).containsExactly(COMMON_PASSWORD);
        assertThat(judge("QWERTYUIOP123")).containsExactly(COMMON_PASSWORD);
        assertThat(judge("123456")).as("short and common: both named").containsExactly(TOO_SHORT, COMMON_PASSWORD);
        assertThat(judge("password1234-but-longer"))
                .as("only the whole password counts")
                .isEmpty();
    }

    @Test
    void containsEmailLooksForTheLocalPartIgnoringCase() {
        assertThat(judge("my-INES.INVITEE-secret")).contains(CONTAINS_EMAIL);
        assertThat(POLICY.violations("jo-is-my-nickname", Owner.newAccount("jo@plant.example", null)))
                .as("local parts under 3 characters are ignored")
                .isEmpty();
        assertThat(POLICY.violations("contains-abc-here", Owner.newAccount("abc@plant.example", null)))
                .containsExactly(CONTAINS_EMAIL);
        assertThat(POLICY.violations("plant-example-2026", Owner.newAccount("abc@plant.example", null)))
                .as("the domain is not the local part")
                .isEmpty();
    }

    @Test
    void containsNameLooksForEveryWordOfThreeOrMoreCharactersIgnoringCase() {
        assertThat(judge("long-INES-password")).containsExactly(CONTAINS_NAME);
        assertThat(judge("invitee-of-the-year")).containsExactly(CONTAINS_NAME);
        Owner picard = Owner.newAccount("captain@plant.example", "Jean-Luc Picard");
        assertThat(POLICY.violations("engage-PICARD-1701", picard)).containsExactly(CONTAINS_NAME);
        assertThat(POLICY.violations("jean-and-the-warp", picard)).containsExactly(CONTAINS_NAME);
        assertThat(POLICY.violations("luc-is-three-letters", picard)).containsExactly(CONTAINS_NAME);
        Owner shortName = Owner.newAccount("someone@plant.example", "Li Wu");
        assertThat(POLICY.violations("lightly-wuthering-9", shortName))
                .as("words under 3 characters are ignored")
                .isEmpty();
        assertThat(POLICY.violations("no-name-at-all-here", Owner.newAccount("someone@plant.example", null)))
                .isEmpty();
    }

    @Test
    void sameAsCurrentIsAnExactComparisonAndOnlyWhenChanging() {
        Owner changing = new Owner("someone@plant.example", "Some One", "Tractor-Engine-Blue-9");
        assertThat(POLICY.violations("Tractor-Engine-Blue-9", changing)).containsExactly(SAME_AS_CURRENT);
        assertThat(POLICY.violations("tractor-engine-blue-9", changing))
                .as("passwords are case-sensitive")
                .isEmpty();
        assertThat(POLICY.violations("Tractor-Engine-Blue-9", Owner.newAccount("someone@plant.example", "Some One")))
                .as("a new account has no current password")
                .isEmpty();
    }

    @Test
    void everyBrokenRuleIsNamedInTheirFixedOrder() {
        Owner owner = new Owner("password@plant.example", "Password Person", "password");

        assertThat(POLICY.violations("password", owner))
                .containsExactly(TOO_SHORT, COMMON_PASSWORD, CONTAINS_EMAIL, CONTAINS_NAME, SAME_AS_CURRENT);
    }

    @Test
    void theRefusalIsA400NamingEveryRuleInTheDetailAndAsViolations() {
        ProblemException refused =
                catchThrowableOfType(ProblemException.class, () -> POLICY.require("password", "password", NEWCOMER));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.detail())
                .isEqualTo("password: must be at least 12 characters; is one of the 100,000 most common passwords");
        assertThat(refused.getBody().getProperties())
                .containsEntry("field", "password")
                .containsEntry("violations", List.of("too_short", "common_password"));
    }

    @Test
    void anAcceptablePasswordPassesRequire() {
        POLICY.require("password", "correct-horse-battery-staple-7", NEWCOMER);
    }

    @Test
    void theRuleNamesAreTheDocumentedOnes() {
        assertThat(Arrays.stream(Violation.values()).map(Violation::code))
                .containsExactly(
                        "too_short",
                        "too_long",
                        "common_password",
                        "contains_email",
                        "contains_name",
                        "same_as_current");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void aMegabytePasswordIsJudgedInLinearTime() {
        String huge = "q".repeat(1 << 20);

        assertThat(POLICY.violations(huge, new Owner("someone@plant.example", "Some Person", "current-password")))
                .containsExactly(TOO_LONG);
    }
}
