package io.insa.iiot.system;

import io.swagger.v3.core.jackson.TypeNameResolver;
import java.util.List;
import java.util.Locale;

/**
 * Names in the API description. By default a schema is named by its type's simple name and an operation by its
 * handler method's: the features' nested records ({@code DeviceRequests.Create}, {@code TenantRequests.Create}) and
 * handlers ({@code create}) share them, and springdoc then shows one type's schema for the other and numbers
 * operationIds in the order it found them ({@code create_1}, {@code create_2}). Here a nested type is named with its
 * enclosing type's subject ({@code DeviceCreate}, {@code TenantCreate}) and an operation with its controller's
 * ({@code deviceCreate}, {@code tenantCreate}). OpenApiLintIT checks that no two types or operations end up with one
 * name.
 */
final class ApiNames extends TypeNameResolver {

    /** Role words of a type's name that say nothing of what it is about. */
    private static final List<String> ROLES = List.of("Controller", "Requests", "Repository", "Api");

    @Override
    protected String getNameOfClass(Class<?> type) {
        return schemaName(type);
    }

    /** {@code DeviceRequests.Create} is {@code DeviceCreate}; a top-level type keeps its simple name. */
    static String schemaName(Class<?> type) {
        if (!type.isMemberClass()) {
            return type.getSimpleName();
        }
        String subject = subject(type.getEnclosingClass().getSimpleName());
        String name = type.getSimpleName();
        // Predictions.Prediction, ApiKey.ApiKeyScope: already named for their subject
        return name.startsWith(subject) || subject.startsWith(name) ? name : subject + name;
    }

    /** {@code DeviceController.create} is {@code deviceCreate}; {@code HealthController.health} is {@code health}. */
    static String operationId(Class<?> controller, String method) {
        String subject = subject(controller.getSimpleName());
        String lower = Character.toLowerCase(subject.charAt(0)) + subject.substring(1);
        return method.toLowerCase(Locale.ROOT).startsWith(lower.toLowerCase(Locale.ROOT))
                ? method
                : lower + Character.toUpperCase(method.charAt(0)) + method.substring(1);
    }

    /** {@code OpcUaConnectorController} is about {@code OpcUaConnector}. */
    static String subject(String typeName) {
        for (String role : ROLES) {
            if (typeName.endsWith(role) && typeName.length() > role.length()) {
                return typeName.substring(0, typeName.length() - role.length());
            }
        }
        return typeName;
    }
}
