package io.insa.iiot.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Every console page but sign-in needs a signed-in session; without one the browser is sent to sign in. */
@Configuration(proxyBeanMethods = false)
class ConsoleAccess implements WebMvcConfigurer {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
                    @Override
                    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
                            throws Exception {
                        HttpSession session = request.getSession(false);
                        if (session == null || session.getAttribute(ConsoleUser.SESSION_KEY) == null) {
                            if (isPageRequest(request)) { // back there once signed in
                                String query = request.getQueryString();
                                request.getSession(true)
                                        .setAttribute(
                                                SignInController.AFTER_SIGN_IN,
                                                request.getRequestURI() + (query == null ? "" : "?" + query));
                            }
                            response.sendRedirect(SignInController.LOGIN);
                            return false;
                        }
                        return true;
                    }
                })
                .addPathPatterns("/console/**")
                .excludePathPatterns(
                        SignInController.LOGIN + "/**", InvitationPages.ACCEPT + "/**", "/console/assets/**");
    }

    /** A page the browser navigated to (not a live stream or a partial update). */
    private static boolean isPageRequest(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        return "GET".equals(request.getMethod())
                && request.getHeader("HX-Request") == null
                && accept != null
                && accept.contains("text/html");
    }
}
