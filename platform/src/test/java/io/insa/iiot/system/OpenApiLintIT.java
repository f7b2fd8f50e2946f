package io.insa.iiot.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.insa.iiot.support.Api;
import io.insa.iiot.support.IntegrationTest;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpEntity;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * A lint of the API description ({@code /v3/api-docs}) as client generators read it: valid OpenAPI 3; every
 * operation with its own operationId; every JSON body typed; no {@code $ref} to a schema that is not there; and each
 * operation's request and response schema that of its handler's Java type. springdoc names a schema by its type's
 * simple name and, when two types share one, silently keeps the first: the last rule is what catches that.
 */
class OpenApiLintIT extends IntegrationTest {

    private static final String SCHEMAS = "#/components/schemas/";
    /** springdoc's suffix for an operationId it had already given to another operation */
    private static final Pattern RENAMED_DUPLICATE = Pattern.compile(".+_\\d+$");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping handlers;

    @Test
    void theDocumentIsValidOpenApi3() throws Exception {
        String text = document().text();
        Files.writeString(Path.of("target", "openapi.json"), text); // to read when a check below fails
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text);
        assertThat(parsed.getOpenAPI()).isNotNull();
        assertThat(parsed.getMessages()).as("OpenAPI 3 validation").isEmpty();
    }

    @Test
    void everyOperationHasAnOperationIdOfItsOwn() {
        List<String> problems = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        operations(document().json()).forEach((where, operation) -> {
            String id = operation.path("operationId").asString("");
            if (id.isBlank()) {
                problems.add(where + ": no operationId");
            } else if (seen.putIfAbsent(id, where) != null) {
                problems.add(where + ": operationId " + id + " is also " + seen.get(id) + "'s");
            } else if (RENAMED_DUPLICATE.matcher(id).matches()) {
                problems.add(where + ": operationId " + id + " (springdoc renamed a duplicate)");
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void everyReferenceNamesASchemaThatIsThere() {
        JsonNode doc = document().json();
        Set<String> problems = new TreeSet<>();
        references(doc, "", problems, doc.at("/components/schemas"));
        assertThat(problems).isEmpty();
    }

    @Test
    void jsonBodiesAreTyped() {
        JsonNode doc = document().json();
        List<String> problems = new ArrayList<>();
        operations(doc).forEach((where, operation) -> {
            operation.at("/requestBody/content").properties().forEach(content -> {
                if (json(content.getKey()) && untyped(doc, content.getValue().path("schema"))) {
                    problems.add(where + ": request body " + content.getKey() + " has no properties");
                }
            });
            operation
                    .path("responses")
                    .properties()
                    .forEach(response -> response.getValue()
                            .path("content")
                            .properties()
                            .forEach(content -> {
                                if (json(content.getKey())
                                        && untyped(doc, content.getValue().path("schema"))) {
                                    problems.add(where + ": response " + response.getKey() + " " + content.getKey()
                                            + " has no properties");
                                }
                            }));
        });
        // a JSON tree or a map read by hand is typed in the description only where the handler says what it reads
        handlerOperations().forEach(handler -> {
            MethodParameter body = handler.body();
            if (body != null && untypedJava(body.getParameterType()) && documentedBody(body) == null) {
                problems.add(handler.where() + ": request body "
                        + body.getParameterType().getSimpleName() + " without a documented schema");
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void theDeviceAndTheTenantCreateRequestsAreTheirOwnSchemas() {
        JsonNode doc = document().json();
        assertThat(requestProperties(doc, "/api/v1/devices", "post"))
                .containsExactlyInAnyOrder("name", "type", "labels", "mqtt");
        assertThat(requestProperties(doc, "/api/v1/tenants", "post"))
                .contains("name", "slug", "max_devices", "require_mfa")
                .doesNotContain("mqtt");
    }

    @Test
    void theOpcUaConnectorBodiesShowTheirFields() {
        JsonNode doc = document().json();
        for (String[] op :
                new String[][] {{"/api/v1/connectors/opcua", "post"}, {"/api/v1/connectors/opcua/{id}", "patch"}}) {
            assertThat(requestProperties(doc, op[0], op[1]))
                    .as(op[1] + " " + op[0])
                    .contains(
                            "name",
                            "endpoint_url",
                            "security_policy",
                            "security_mode",
                            "auth",
                            "enabled",
                            "publishing_interval_ms",
                            "mappings");
        }
    }

    /**
     * Each handler's request body and response, and the records in them, against the schema its operation names:
     * the same JSON properties, or another type took the name.
     */
    @Test
    void eachOperationsSchemasAreThoseOfItsJavaTypes() {
        JsonNode doc = document().json();
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Handler handler : handlerOperations()) {
            JsonNode operation = handler.operation(doc);
            if (operation == null) {
                continue;
            }
            checked++;
            MethodParameter body = handler.body();
            if (body != null) {
                ResolvableType type = documentedBody(body) != null
                        ? ResolvableType.forClass(documentedBody(body))
                        : ResolvableType.forMethodParameter(body);
                for (MediaType mediaType : handler.consumes()) {
                    JsonNode content = operation.at("/requestBody/content").path(mediaType.toString());
                    if (content.isMissingNode()) {
                        problems.add(handler.where() + ": no request body " + mediaType);
                    } else {
                        compare(doc, type, content.path("schema"), handler.where() + " request body", problems);
                    }
                }
            }
            ResolvableType returned =
                    ResolvableType.forMethodReturnType(handler.method().getMethod());
            if (HttpEntity.class.isAssignableFrom(returned.toClass())) {
                returned = returned.as(HttpEntity.class).getGeneric(0);
            }
            JsonNode response = success(operation);
            if (response != null) {
                compare(doc, returned, response.path("schema"), handler.where() + " response", problems);
            }
        }
        assertThat(checked).as("operations checked").isGreaterThan(50);
        assertThat(problems).isEmpty();
    }

    // ---- the document

    private Api.Response document() {
        Api.Response docs = api.get("/v3/api-docs").send();
        assertThat(docs.status()).isEqualTo(200);
        return docs;
    }

    private static Map<String, JsonNode> operations(JsonNode doc) {
        Map<String, JsonNode> operations = new LinkedHashMap<>();
        doc.path("paths")
                .properties()
                .forEach(path -> path.getValue().properties().forEach(method -> {
                    if (Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace")
                            .contains(method.getKey())) {
                        operations.put(method.getKey().toUpperCase() + " " + path.getKey(), method.getValue());
                    }
                }));
        return operations;
    }

    private static void references(JsonNode node, String at, Set<String> problems, JsonNode schemas) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref") && e.getValue().isString()) {
                    String ref = e.getValue().asString();
                    if (!ref.startsWith(SCHEMAS) || !schemas.has(ref.substring(SCHEMAS.length()))) {
                        problems.add(at + ": $ref " + ref + " names no schema");
                    }
                } else {
                    references(e.getValue(), at + "/" + e.getKey(), problems, schemas);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                references(node.get(i), at + "/" + i, problems, schemas);
            }
        }
    }

    private static JsonNode resolve(JsonNode doc, JsonNode schema) {
        JsonNode at = schema;
        for (int hops = 0; at.has("$ref") && hops < 10; hops++) {
            at = doc.at("/components/schemas/" + at.get("$ref").asString().substring(SCHEMAS.length()));
        }
        return at;
    }

    /** An object that says nothing of what is in it: {@code {}} or {@code {"type": "object"}}. */
    private static boolean untyped(JsonNode doc, JsonNode schema) {
        JsonNode s = resolve(doc, schema);
        if (s.isMissingNode()) {
            return false; // a dangling $ref, reported by its own check
        }
        for (String says : new String[] {"properties", "additionalProperties", "items", "allOf", "oneOf", "anyOf"}) {
            if (s.has(says)) {
                return false;
            }
        }
        JsonNode type = s.path("type");
        return type.isMissingNode()
                || type.asString("").equals("object")
                || (type.isArray() && type.toString().contains("\"object\""));
    }

    private static boolean json(String mediaType) {
        return mediaType.equals("*/*")
                || MediaType.parseMediaType(mediaType).isCompatibleWith(MediaType.APPLICATION_JSON)
                || mediaType.endsWith("+json");
    }

    /** The first 2xx response's content, if it has one. */
    private static JsonNode success(JsonNode operation) {
        for (var response : operation.path("responses").properties()) {
            if (response.getKey().startsWith("2")) {
                for (var content : response.getValue().path("content").properties()) {
                    if (json(content.getKey())) {
                        return content.getValue();
                    }
                }
            }
        }
        return null;
    }

    private static List<String> requestProperties(JsonNode doc, String path, String method) {
        JsonNode content = doc.path("paths").path(path).path(method).at("/requestBody/content");
        assertThat(content.propertyNames())
                .as(method + " " + path + " request body")
                .isNotEmpty();
        JsonNode schema = resolve(doc, content.path("application/json").path("schema"));
        return List.copyOf(schema.path("properties").propertyNames());
    }

    // ---- the Java side

    /** A handler method of the platform with one path and HTTP method, as the description shows it. */
    private record Handler(String path, String httpMethod, HandlerMethod method, RequestMappingInfo info) {

        String where() {
            return httpMethod + " " + path + " (" + method.getBeanType().getSimpleName() + "."
                    + method.getMethod().getName() + ")";
        }

        JsonNode operation(JsonNode doc) {
            JsonNode operation = doc.path("paths").path(path).path(httpMethod.toLowerCase());
            return operation.isMissingNode() ? null : operation;
        }

        MethodParameter body() {
            for (MethodParameter parameter : method.getMethodParameters()) {
                if (parameter.hasParameterAnnotation(RequestBody.class)) {
                    return parameter;
                }
            }
            return null;
        }

        Set<MediaType> consumes() {
            Set<MediaType> types = info.getConsumesCondition().getConsumableMediaTypes();
            Set<MediaType> json = new LinkedHashSet<>();
            for (MediaType type : types.isEmpty() ? Set.of(MediaType.APPLICATION_JSON) : types) {
                if (json(type.toString())) {
                    json.add(type);
                }
            }
            return json;
        }
    }

    private List<Handler> handlerOperations() {
        List<Handler> found = new ArrayList<>();
        handlers.getHandlerMethods().forEach((info, method) -> {
            if (!method.getBeanType().getPackageName().startsWith("io.insa.iiot")) {
                return;
            }
            for (String pattern : info.getPatternValues()) {
                String path = pattern.replaceAll("\\{([^}:]+):[^}]*}", "{$1}");
                info.getMethodsCondition()
                        .getMethods()
                        .forEach(m -> found.add(new Handler(path, m.name(), method, info)));
            }
        });
        return found;
    }

    /**
     * A body whose Java type says nothing of its JSON. A map is not one: its schema says it is an object
     * of named values (additionalProperties), which is all an open body such as a merge patch has.
     */
    private static boolean untypedJava(Class<?> type) {
        return type == Object.class
                || JsonNode.class.isAssignableFrom(type)
                || com.fasterxml.jackson.databind.JsonNode.class.isAssignableFrom(type);
    }

    /** The type a body read as a JSON tree documents ({@code @Schema(implementation = ...)}), or null. */
    private static Class<?> documentedBody(MethodParameter body) {
        var documented = body.getParameterAnnotation(io.swagger.v3.oas.annotations.parameters.RequestBody.class);
        if (documented == null) {
            return null;
        }
        for (var content : documented.content()) {
            if (content.schema().implementation() != Void.class) {
                return content.schema().implementation();
            }
        }
        return null;
    }

    /** A record's type against its schema: the same JSON properties, then each record inside, recursively. */
    private static void compare(
            JsonNode doc, ResolvableType type, JsonNode schema, String where, List<String> problems) {
        compare(doc, type, schema, where, problems, new HashSet<>());
    }

    private static void compare(
            JsonNode doc,
            ResolvableType type,
            JsonNode schema,
            String where,
            List<String> problems,
            Set<String> visited) {
        Class<?> raw = type.resolve(Object.class);
        if (Collection.class.isAssignableFrom(raw)) {
            compare(
                    doc,
                    type.as(Collection.class).getGeneric(0),
                    schema.path("items"),
                    where + "[]",
                    problems,
                    visited);
            return;
        }
        if (untypedJava(raw)) {
            // any JSON value: a schema with properties is some class's, Jackson 3's JsonNode's own accessors once
            JsonNode shown = resolve(doc, schema).path("properties");
            if (!shown.isMissingNode()) {
                problems.add(where + ": " + raw.getName() + " (any JSON value) is shown with properties "
                        + new TreeSet<>(shown.propertyNames()));
            }
            return;
        }
        if (!raw.isRecord()) {
            return;
        }
        String name = schema.path("$ref").asString("");
        if (!name.isEmpty() && !visited.add(name + " " + type)) {
            return;
        }
        JsonNode resolved = resolve(doc, schema);
        if (!resolved.has("properties")) {
            return; // shown otherwise (a value, a polymorphic type): nothing to compare by name
        }
        Map<String, ResolvableType> expected = properties(type);
        Set<String> shown = new TreeSet<>(resolved.path("properties").propertyNames());
        if (!shown.equals(new TreeSet<>(expected.keySet()))) {
            problems.add(where + ": " + raw.getName() + " is shown as "
                    + (name.isEmpty() ? "an inline schema" : name.substring(SCHEMAS.length())) + " with " + shown
                    + ", its properties are " + new TreeSet<>(expected.keySet()));
            return;
        }
        expected.forEach((property, propertyType) -> compare(
                doc,
                propertyType,
                resolved.path("properties").path(property),
                where + "." + property,
                problems,
                visited));
    }

    /** A record's JSON properties as the API writes them (snake_case), unwrapped records flattened in. */
    private static Map<String, ResolvableType> properties(ResolvableType record) {
        Map<String, ResolvableType> properties = new LinkedHashMap<>();
        Class<?> raw = record.resolve(Object.class);
        for (RecordComponent component : raw.getRecordComponents()) {
            Method accessor = component.getAccessor();
            ResolvableType type = ResolvableType.forMethodReturnType(accessor, record.toClass());
            if (record.hasGenerics()) {
                try {
                    type = ResolvableType.forField(raw.getDeclaredField(component.getName()), record);
                } catch (NoSuchFieldException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (annotated(component, accessor, JsonIgnore.class) != null) {
                continue;
            }
            if (annotated(component, accessor, JsonUnwrapped.class) != null) {
                properties.putAll(properties(type));
                continue;
            }
            JsonProperty renamed = annotated(component, accessor, JsonProperty.class);
            String name = renamed != null && !renamed.value().isEmpty()
                    ? renamed.value()
                    : new PropertyNamingStrategies.SnakeCaseStrategy().translate(component.getName());
            properties.put(name, type);
        }
        return properties;
    }

    private static <A extends java.lang.annotation.Annotation> A annotated(
            RecordComponent component, Method accessor, Class<A> annotation) {
        A on = component.getAnnotation(annotation);
        return on != null ? on : AnnotatedElementUtils.findMergedAnnotation(accessor, annotation);
    }
}
