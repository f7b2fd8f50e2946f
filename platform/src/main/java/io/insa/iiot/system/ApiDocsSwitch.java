package io.insa.iiot.system;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Swagger UI and the OpenAPI document switched off at run time: {@code springdoc.swagger-ui.enabled=false}
 * (the prod profile sets it) and {@code springdoc.api-docs.enabled=false}. springdoc decides by
 * conditions, which Spring AOT evaluates once at build time, where both are on; so their paths answer 404
 * here, before anything else sees the request. With both on the filter is not registered at all.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsSwitch {

    @Bean
    FilterRegistrationBean<Filter> apiDocsOff(
            @Value("${springdoc.swagger-ui.enabled:true}") boolean swaggerUi,
            @Value("${springdoc.api-docs.enabled:true}") boolean apiDocs) {
        List<String> off = new ArrayList<>();
        if (!swaggerUi || !apiDocs) {
            off.addAll(List.of("/swagger-ui.html", "/swagger-ui/*"));
        }
        if (!apiDocs) {
            off.addAll(List.of("/v3/api-docs", "/v3/api-docs/*"));
        }
        Filter notFound = (request, response, chain) -> ((HttpServletResponse) response).sendError(404);
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(notFound);
        registration.setName("apiDocsOff");
        registration.setUrlPatterns(off);
        registration.setEnabled(!off.isEmpty());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
