package io.insa.iiot.tenancy;

import io.insa.iiot.shared.ProblemException;
import io.insa.iiot.shared.Smtp;
import jakarta.annotation.PostConstruct;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

/**
 * Delivers invitation tokens to the invited address, and only there: whoever holds the token can create
 * the account, so the inviter must never see it. Without an SMTP server ({@code spring.mail.host}) an
 * invitation cannot be delivered and is refused, unless a development install opts into seeing the
 * token in the API response ({@code insa.invitations.expose-token}).
 */
@Component
class InvitationMail {

    private static final Logger log = LoggerFactory.getLogger(InvitationMail.class);

    private final JavaMailSender smtp;
    private final boolean exposeToken;
    private final String publicUrl;
    private final String from;

    InvitationMail(
            Smtp smtp,
            @Value("${insa.invitations.expose-token}") boolean exposeToken,
            @Value("${insa.public-url}") String publicUrl,
            @Value("${insa.mail.from}") String from) {
        this.smtp = smtp.sender().orElse(null);
        this.exposeToken = exposeToken;
        this.publicUrl = publicUrl.replaceAll("/+$", "");
        this.from = from;
    }

    @PostConstruct
    void warnWhenExposed() {
        if (exposeToken) {
            log.warn("insa.invitations.expose-token=true: invitation tokens are returned to the inviter, who can"
                    + " then accept in the invitee's name. Development only.");
        }
    }

    /** True when the token may go in the API response (development installs). */
    boolean exposesToken() {
        return exposeToken;
    }

    /** Refuses before anything changes when an invitation could be delivered to nobody. */
    void requireDeliverable() {
        if (smtp == null && !exposeToken) {
            throw ProblemException.of(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "invitations are delivered by e-mail and no SMTP server is configured (spring.mail.host);"
                            + " an operator must configure one",
                    null);
        }
    }

    String acceptUrl(String token) {
        return publicUrl + "/accept-invite?token=" + token;
    }

    /**
     * Sends the invitation. Runs inside the inviting transaction, so a failed delivery rolls the
     * invitation back. An address that already has an account is asked to log in and accept there.
     */
    void send(Tenant tenant, String email, Invitations.Issued issued, boolean hasAccount) {
        if (smtp == null) {
            return;
        }
        SimpleMailMessage mail = new SimpleMailMessage();
        mail.setFrom(from);
        mail.setTo(email);
        mail.setSubject("You are invited to " + tenant.name() + " on the INSA IIoT Platform");
        String how = hasAccount
                ? "Log in with your account and accept it under your invitations:\n\n  " + publicUrl
                        + "/console/invitations"
                : "Choose your password and accept here:\n\n  " + acceptUrl(issued.token());
        mail.setText("You have been invited to join the tenant \"" + tenant.name() + "\" (" + tenant.slug() + ").\n\n"
                + how + "\n\nThe invitation expires at " + issued.expiresAt() + ".\n"
                + "If you did not expect it, ignore this e-mail: nothing happens without you.\n");
        try {
            smtp.send(mail);
        } catch (MailException e) {
            log.warn("invitation e-mail to {} could not be sent: {}", email, e.getMessage());
            throw ProblemException.of(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "the invitation e-mail could not be sent; nothing was changed, try again later",
                    Duration.ofSeconds(60));
        }
    }
}
