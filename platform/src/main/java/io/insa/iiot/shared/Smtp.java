package io.insa.iiot.shared;

import java.util.Optional;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * The SMTP server the platform's e-mails go through ({@code spring.mail.*}), or none when
 * {@code spring.mail.host} is not set. Boot's own mail sender is a bean only when the host is set, a
 * condition Spring AOT decides once, at build time; this one reads the settings at every start, so a
 * host set at run time is used with Spring AOT as without ({@link SmtpConfiguration}).
 */
public final class Smtp {

    private final JavaMailSender sender;

    Smtp(JavaMailSender sender) {
        this.sender = sender;
    }

    /** The configured server's sender; empty when no SMTP server is configured. */
    public Optional<JavaMailSender> sender() {
        return Optional.ofNullable(sender);
    }
}
