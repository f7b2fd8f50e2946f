package io.insa.iiot.system;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverter;
import io.swagger.v3.core.converter.ModelConverterContext;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.Iterator;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    /**
     * The schemas with the API's own property names: the API writes snake_case (spring.jackson), but
     * the schema generator reads records with its own mapper, which would show camelCase. Nested types are
     * named with their enclosing type's subject ({@link ApiNames}). A JSON tree (a command's params, an answer) is
     * any JSON value: the generator knows Jackson 2's trees only and would show Jackson 3's as an object with its
     * accessors ({@code array}, {@code container_node}, ...) for properties.
     */
    @Bean
    ModelResolver snakeCaseSchemas() {
        return new ModelResolver(
                Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE), new ApiNames()) {
            @Override
            public Schema<?> resolve(AnnotatedType type, ModelConverterContext context, Iterator<ModelConverter> next) {
                if (type.getType() != null
                        && tools.jackson.databind.JsonNode.class.isAssignableFrom(
                                _mapper.constructType(type.getType()).getRawClass())) {
                    return new Schema<>().description("any JSON value");
                }
                return super.resolve(type, context, next);
            }
        };
    }

    /** operationIds with the controller's subject: {@code deviceCreate}, not the third {@code create} found. */
    @Bean
    OperationCustomizer operationIds() {
        return (operation, handler) -> operation.operationId(
                ApiNames.operationId(handler.getBeanType(), handler.getMethod().getName()));
    }

    @Bean
    OpenAPI platformApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("INSA IIoT Platform API")
                        .version("v1")
                        .description("Multi-tenant industrial IoT platform. Errors are RFC 9457 problem+json."))
                .components(new Components()
                        .addSecuritySchemes(
                                "bearer",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .bearerFormat("JWT"))
                        .addSecuritySchemes(
                                "apiKey",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.APIKEY)
                                        .in(SecurityScheme.In.HEADER)
                                        .name("X-API-Key")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"))
                .addSecurityItem(new SecurityRequirement().addList("apiKey"));
    }
}
