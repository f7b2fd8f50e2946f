package io.insa.iiot.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real SMTP server (GreenMail) for the test JVM, on a free loopback port: where the platform delivers
 * invitation e-mails, and where tests read them as the invited person would.
 */
public final class Mailbox {

    private static final Pattern ACCEPT_LINK = Pattern.compile("(\\S+/accept-invite\\?token=)(\\S+)");
    private static GreenMail server;

    private Mailbox() {}

    public static synchronized GreenMail server() {
        if (server == null) {
            server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        }
        return server;
    }

    /** The Spring properties that point the platform at this server. */
    public static Map<String, String> properties() {
        return Map.of(
                "spring.mail.host",
                "127.0.0.1",
                "spring.mail.port",
                Integer.toString(server().getSmtp().getPort()));
    }

    /** The texts of every mail delivered to an address so far. */
    public static List<String> textsTo(String address) {
        return Arrays.stream(server().getReceivedMessages())
                .filter(m -> isTo(m, address))
                .map(Mailbox::text)
                .toList();
    }

    /** The token of the newest invitation mailed to an address, waiting up to five seconds for it. */
    public static String invitationToken(String address) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        while (true) {
            List<String> texts = textsTo(address);
            for (int i = texts.size() - 1; i >= 0; i--) {
                Matcher link = ACCEPT_LINK.matcher(texts.get(i));
                if (link.find()) {
                    return link.group(2);
                }
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no invitation link was mailed to " + address + ": " + texts);
            }
            sleep();
        }
    }

    private static boolean isTo(MimeMessage message, String address) {
        try {
            return Arrays.stream(message.getRecipients(Message.RecipientType.TO))
                    .anyMatch(a -> a.toString().equalsIgnoreCase(address));
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(MimeMessage message) {
        try {
            return message.getContent().toString();
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
