package io.insa.iiot.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one CSV writer: RFC 4180 quoting, and no cell a spreadsheet would run as a formula. */
class CsvTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {"=2+3", "+2+3", "-2+3", "@SUM(A1:A2)", "\tx", "=HYPERLINK(\"http://x\")", "-", "+", "1e3=A1"})
    void cellsThatASpreadsheetWouldEvaluateGetALeadingQuote(String value) {
        String field = Csv.field(value);
        String unquoted = field.startsWith("\"") ? field.substring(1, field.length() - 1) : field;
        if (value.startsWith("1e3")) {
            assertThat(field).as("only the first character matters").isEqualTo(value);
        } else {
            assertThat(unquoted).startsWith("'").isEqualTo("'" + value.replace("\"", "\"\""));
        }
    }

    @Test
    void aCarriageReturnFirstIsNeutralisedAndQuoted() {
        assertThat(Csv.field("\r=1+1")).isEqualTo("\"'\r=1+1\"");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-3.5", "-42", "+7", "-0.001", "-1.5E-7", "3", "-.5", "12.5e+3"})
    void plainNumbersStayNumbers(String number) {
        assertThat(Csv.field(number)).isEqualTo(number);
    }

    @Test
    void ordinaryCellsAreWrittenAsTheyAre() {
        assertThat(Csv.field("auth.login")).isEqualTo("auth.login");
        assertThat(Csv.field("a,b")).isEqualTo("\"a,b\"");
        assertThat(Csv.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(Csv.field(null)).isEmpty();
        assertThat(Csv.field(-3.5)).isEqualTo("-3.5");
    }

    @Test
    void aLineJoinsItsFieldsAndEndsWithCrLf() {
        assertThat(Csv.line(Arrays.asList("a", null, "=1", -2))).isEqualTo("a,,'=1,-2\r\n");
    }
}
