package dev.mlapp.k8s;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Validates custom resources strictly against a CustomResourceDefinition's structural OpenAPI v3 schema, as the API
 * server would with field validation {@code Strict}: a field the schema does not declare (where it does not preserve
 * unknown fields), a value of the wrong type, a missing required field, a value outside its enum, pattern, bounds or
 * length fails. {@code metadata}, which CRDs leave as a bare object, is read strictly as a Kubernetes ObjectMeta.
 *
 * <p>Why our own and not a JSON Schema library: a CRD schema is a small structural subset of OpenAPI v3 whose
 * meaning differs from JSON Schema where it matters here — unknown fields are an error (JSON Schema allows them
 * unless every object says {@code additionalProperties: false}) and the {@code x-kubernetes-*} extensions
 * (int-or-string, preserve-unknown-fields) have no JSON Schema equivalent. Not checked: CEL rules
 * ({@code x-kubernetes-validations}), which need a CEL interpreter, and string formats.
 */
final class CrdSchema {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final String group;
    private final String kind;
    private final String version;
    private final JsonNode schema;

    private CrdSchema(String group, String kind, String version, JsonNode schema) {
        this.group = group;
        this.kind = kind;
        this.version = version;
        this.schema = schema;
    }

    /** The schema of {@code version} in a gzipped CRD on the test class path. */
    static CrdSchema load(String resource, String version) {
        try (InputStream in = new GZIPInputStream(CrdSchema.class.getResourceAsStream(resource))) {
            JsonNode crd = YAML.readTree(in);
            for (JsonNode v : crd.path("spec").path("versions")) {
                if (v.path("name").asString("").equals(version)) {
                    return new CrdSchema(crd.path("spec").path("group").asString(),
                            crd.path("spec").path("names").path("kind").asString(), version,
                            v.path("schema").path("openAPIV3Schema"));
                }
            }
            throw new IllegalArgumentException(resource + " has no version " + version);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String apiVersion() {
        return group + "/" + version;
    }

    String kind() {
        return kind;
    }

    /** @return every problem found, each as "path: what is wrong"; empty when the object is valid */
    List<String> validate(JsonNode object) {
        List<String> problems = new ArrayList<>();
        if (!object.path("apiVersion").asString("").equals(apiVersion())
                || !object.path("kind").asString("").equals(kind)) {
            problems.add("apiVersion/kind: expected " + apiVersion() + " " + kind);
        }
        // The API server validates metadata as ObjectMeta whatever the CRD says (they leave it a bare object).
        JsonNode withoutMetadata = object.deepCopy();
        ((tools.jackson.databind.node.ObjectNode) withoutMetadata).remove("metadata");
        check(withoutMetadata, schema, "", problems);
        checkMetadata(object.path("metadata"), problems);
        return problems;
    }

    private static void checkMetadata(JsonNode metadata, List<String> problems) {
        if (!metadata.isObject() || metadata.path("name").asString("").isEmpty()) {
            problems.add(".metadata.name: required");
            return;
        }
        try {
            ObjectMeta meta = YAML.treeToValue(metadata, ObjectMeta.class);
            meta.getAdditionalProperties().keySet().forEach(k -> problems.add(".metadata." + k + ": unknown field"));
        } catch (RuntimeException e) {
            problems.add(".metadata: " + e.getMessage());
        }
    }

    private static void check(JsonNode value, JsonNode schema, String path, List<String> problems) {
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                problems.add(path + ": null is not allowed");
            }
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isString()) {
                problems.add(path + ": must be an integer or a string, not " + value);
            }
            return;
        }
        String type = schema.path("type").asString("");
        switch (type) {
            case "object" -> checkObject(value, schema, path, problems);
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(path + ": must be an array, not " + value);
                    return;
                }
                bound(path, "items", value.size(), schema, "minItems", "maxItems", problems);
                for (int i = 0; i < value.size(); i++) {
                    check(value.get(i), schema.path("items"), path + "[" + i + "]", problems);
                }
            }
            case "string" -> checkString(value, schema, path, problems);
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    problems.add(path + ": must be an integer, not " + value);
                } else {
                    bound(path, "value", value.doubleValue(), schema, "minimum", "maximum", problems);
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    problems.add(path + ": must be a number, not " + value);
                } else {
                    bound(path, "value", value.doubleValue(), schema, "minimum", "maximum", problems);
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(path + ": must be true or false, not " + value);
                }
            }
            case "" -> {
                if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                    problems.add(path + ": the schema gives no type here");
                }
            }
            default -> problems.add(path + ": the schema has type '" + type + "', which this validator lacks");
        }
        checkEnum(value, schema, path, problems);
    }

    private static void checkObject(JsonNode value, JsonNode schema, String path, List<String> problems) {
        if (!value.isObject()) {
            problems.add(path + ": must be an object, not " + value);
            return;
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (String name : value.propertyNames()) {
            String at = path + "." + name;
            if (properties.has(name)) {
                check(value.get(name), properties.get(name), at, problems);
            } else if (additional != null && additional.isObject()) {
                check(value.get(name), additional, at, problems);
            } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
                problems.add(at + ": unknown field");
            }
        }
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asString())) {
                problems.add(path + "." + required.asString() + ": required");
            }
        }
    }

    private static void checkString(JsonNode value, JsonNode schema, String path, List<String> problems) {
        if (!value.isString()) {
            problems.add(path + ": must be a string, not " + value);
            return;
        }
        String text = value.asString();
        bound(path, "length", text.length(), schema, "minLength", "maxLength", problems);
        if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asString()).matcher(text).find()) {
            problems.add(path + ": '" + text + "' does not match " + schema.get("pattern").asString());
        }
    }

    private static void checkEnum(JsonNode value, JsonNode schema, String path, List<String> problems) {
        JsonNode allowed = schema.get("enum");
        if (allowed == null) {
            return;
        }
        for (JsonNode option : allowed) {
            if (option.equals(value)) {
                return;
            }
        }
        problems.add(path + ": " + value + " is not one of " + allowed);
    }

    private static void bound(String path, String what, double actual, JsonNode schema, String min, String max,
                              List<String> problems) {
        if (schema.has(min) && actual < schema.get(min).doubleValue()) {
            problems.add(path + ": " + what + " " + actual + " is below " + schema.get(min));
        }
        if (schema.has(max) && actual > schema.get(max).doubleValue()) {
            problems.add(path + ": " + what + " " + actual + " is above " + schema.get(max));
        }
    }
}
