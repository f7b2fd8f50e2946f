package io.insa.iiot.shared;

import java.util.Properties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.mail.autoconfigure.MailProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.util.StringUtils;

/**
 * The mail sender from Boot's settings ({@code spring.mail.host}, {@code .port}, {@code .username},
 * {@code .password}, {@code .protocol}, {@code .default-encoding}, {@code .properties.*},
 * {@code .ssl.*}), applied as Boot's MailSenderPropertiesConfiguration applies them. Boot's
 * MailSenderAutoConfiguration is excluded (IiotApplication): its bean exists only when a condition on
 * the host held, and with Spring AOT that is decided when the jar is built.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(MailProperties.class)
class SmtpConfiguration {

    @Bean
    Smtp smtp(MailProperties settings, ObjectProvider<SslBundles> sslBundles) {
        if (!StringUtils.hasText(settings.getHost())) {
            return new Smtp(null);
        }
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost(settings.getHost());
        if (settings.getPort() != null) {
            sender.setPort(settings.getPort());
        }
        sender.setUsername(settings.getUsername());
        sender.setPassword(settings.getPassword());
        sender.setProtocol(settings.getProtocol());
        if (settings.getDefaultEncoding() != null) {
            sender.setDefaultEncoding(settings.getDefaultEncoding().name());
        }
        Properties javaMail = new Properties();
        javaMail.putAll(settings.getProperties());
        String protocol = StringUtils.hasLength(settings.getProtocol()) ? settings.getProtocol() : "smtp";
        MailProperties.Ssl ssl = settings.getSsl();
        if ((ssl.isEnabled() || StringUtils.hasLength(ssl.getBundle())) && ssl.isVerifyHostname()) {
            javaMail.setProperty("mail." + protocol + ".ssl.checkserveridentity", "true");
        }
        if (ssl.isEnabled()) {
            javaMail.setProperty("mail." + protocol + ".ssl.enable", "true");
        }
        if (StringUtils.hasLength(ssl.getBundle())) {
            javaMail.put(
                    "mail." + protocol + ".ssl.socketFactory",
                    sslBundles
                            .getObject()
                            .getBundle(ssl.getBundle())
                            .createSslContext()
                            .getSocketFactory());
        }
        if (!javaMail.isEmpty()) {
            sender.setJavaMailProperties(javaMail);
        }
        return new Smtp(sender);
    }
}
