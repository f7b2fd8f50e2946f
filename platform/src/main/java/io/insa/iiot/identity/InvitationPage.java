package io.insa.iiot.identity;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * {@code GET /accept-invite?token=...}: the address the invitation e-mail links to ({@code
 * insa.public-url} + {@code /accept-invite}). It leads to the console's page for it, token and all.
 */
@Configuration
class InvitationPage implements WebMvcConfigurer {

    static final String PATH = "/accept-invite";

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController(PATH, "/console/accept-invite").setKeepQueryParams(true);
    }
}
