package io.insa.iiot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class IiotApplication {

    public static void main(String[] args) {
        SpringApplication.run(IiotApplication.class, arguments(args));
    }

    /** The command line with its shorthands spelled out: {@code --demo} is {@code --insa.demo.enabled=true}. */
    public static String[] arguments(String... args) {
        return java.util.Arrays.stream(args)
                .map(a -> a.equals("--demo") ? "--insa.demo.enabled=true" : a)
                .toArray(String[]::new);
    }
}
