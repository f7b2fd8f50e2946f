package io.insa.iiot.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a device answers always reaches the operator as one JSON value. */
class CommandAnswerTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "{\"ok\": true}            | {\"ok\":true}",
                "[1, 2]                    | [1,2]",
                "42                        | 42",
                "\"text\"                  | \"text\"",
                "null                      | null",
                "OK                        | \"OK\"",
                "{\"ok\": tru              | \"{\\\"ok\\\": tru\"",
                "{\"a\": 1} trailing       | \"{\\\"a\\\": 1} trailing\"",
                "``                        | \"\""
            })
    void validJsonStaysAndAnythingElseBecomesAJsonString(String answer, String expected) {
        assertThat(Commands.asJson(answer)).isEqualTo(expected);
    }
}
