package io.insa.iiot;

import io.insa.iiot.system.StartupTraining;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

// Boot's mail sender exists only when spring.mail.host is set at build time under Spring AOT; the
// platform's own (shared.SmtpConfiguration) reads the setting at every start
@SpringBootApplication(excludeName = "org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration")
@ConfigurationPropertiesScan
@EnableScheduling
public class IiotApplication {

    /**
     * {@code insa.startup-steps} (environment {@code INSA_STARTUP_STEPS}): record this many start-up
     * steps (bean creation, context refresh, ...) for Actuator's {@code startup} endpoint on the
     * management port; 0 or unset records nothing. Read before Spring's environment exists, so only as a
     * system property or from the environment (scripts/bench-startup.sh sets it).
     */
    static int startupSteps() {
        String steps = System.getProperty("insa.startup-steps", System.getenv("INSA_STARTUP_STEPS"));
        return steps == null || steps.isBlank() ? 0 : Integer.parseInt(steps.strip());
    }

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(IiotApplication.class);
        int steps = startupSteps();
        if (steps > 0) {
            application.setApplicationStartup(new BufferingApplicationStartup(steps));
        }
        StartupTraining.prepare(application);
        application.run(arguments(args));
    }

    /** The command line with its shorthands spelled out: {@code --demo} is {@code --insa.demo.enabled=true}. */
    public static String[] arguments(String... args) {
        return java.util.Arrays.stream(args)
                .map(a -> a.equals("--demo") ? "--insa.demo.enabled=true" : a)
                .toArray(String[]::new);
    }
}
