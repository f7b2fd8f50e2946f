package io.insa.iiot.identity;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * {@code GET /accept-invite?token=...}: the page the invitation e-mail links to ({@code
 * insa.public-url} + {@code /accept-invite}), where a new user chooses a name and password. A static
 * page and script; the console will take it over.
 */
@Configuration
class InvitationPage implements WebMvcConfigurer {

    static final String PATH = "/accept-invite";

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addViewController(PATH).setViewName("forward:" + PATH + ".html");
    }
}
