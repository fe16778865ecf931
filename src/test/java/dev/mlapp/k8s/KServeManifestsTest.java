package dev.mlapp.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.cli.ServeConfigs;
import dev.mlapp.http.MlServer;
import dev.mlapp.model.EmbeddedModel;
import dev.mlapp.serve.Serving;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * k8s/kserve/ holds objects KServe's API server accepts with strict field validation (checked against KServe's own
 * CRD schemas, src/test/resources/kserve/), which pair up (format, runtime, protocol), and whose container, started
 * with the runtime's own arguments on a folder laid out as KServe's storage initializer leaves it, serves the
 * probes and the InferenceService's model under its name.
 */
class KServeManifestsTest {

    private static final Path KSERVE = Path.of("k8s", "kserve");
    private static final CrdSchema RUNTIME = CrdSchema.load("/kserve/serving.kserve.io_servingruntimes.yaml.gz",
            "v1alpha1");
    private static final CrdSchema ISVC = CrdSchema.load("/kserve/serving.kserve.io_inferenceservices.yaml.gz",
            "v1beta1");
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void everyObjectIsValidAgainstKServesSchema() throws Exception {
        assertEquals(List.of("inferenceservice.yaml", "servingruntime.yaml"),
                Files.list(KSERVE).map(p -> p.getFileName().toString()).sorted().toList());
        assertEquals(List.of(), RUNTIME.validate(only(KSERVE.resolve("servingruntime.yaml"))));
        assertEquals(List.of(), ISVC.validate(only(KSERVE.resolve("inferenceservice.yaml"))));
    }

    @Test
    void theValidatorRejectsWhatTheApiServerWould() throws Exception {
        JsonNode runtime = only(KSERVE.resolve("servingruntime.yaml"));
        assertProblem(RUNTIME, runtime, "/spec/supportedModelFormats/0", "autoselect", "true",
                ".spec.supportedModelFormats[0].autoselect: unknown field");
        assertProblem(RUNTIME, runtime, "/spec/containers/0/ports/0", "containerPort", "\"8080\"",
                ".spec.containers[0].ports[0].containerPort: must be an integer");
        assertProblem(RUNTIME, runtime, "/spec/containers/0", "ports", "[{\"protocol\": \"TCP\"}]",
                ".spec.containers[0].ports[0].containerPort: required");
        JsonNode isvc = only(KSERVE.resolve("inferenceservice.yaml"));
        assertProblem(ISVC, isvc, "/spec/predictor/model", "storageURI", "\"pvc://x\"",
                ".spec.predictor.model.storageURI: unknown field");
        assertProblem(ISVC, isvc, "/spec/predictor", "minReplicas", "\"five\"",
                ".spec.predictor.minReplicas: must be an integer");
        assertProblem(ISVC, isvc, "/metadata", "label", "{}", ".metadata.label: unknown field");
        assertProblem(ISVC, isvc, "/spec/predictor/model/modelFormat", "name", "null",
                ".spec.predictor.model.modelFormat.name: null is not allowed");
    }

    @Test
    void theInferenceServiceSelectsThisRuntime() throws Exception {
        JsonNode runtime = only(KSERVE.resolve("servingruntime.yaml")).path("spec");
        JsonNode model = only(KSERVE.resolve("inferenceservice.yaml")).path("spec").path("predictor").path("model");
        assertEquals(only(KSERVE.resolve("servingruntime.yaml")).path("metadata").path("name").asString(),
                model.path("runtime").asString());
        String format = model.path("modelFormat").path("name").asString();
        String version = model.path("modelFormat").path("version").asString();
        boolean supported = false;
        for (JsonNode f : runtime.path("supportedModelFormats")) {
            supported |= f.path("name").asString().equals(format) && f.path("version").asString().equals(version);
        }
        assertTrue(supported, "the runtime supports " + format + " " + version);
        assertTrue(runtime.path("protocolVersions").toString().contains(model.path("protocolVersion").asString()));
        JsonNode container = runtime.path("containers").get(0);
        assertEquals("kserve-container", container.path("name").asString(), "the name KServe looks for");
        String deployment = Files.readString(Path.of("k8s", "deployment_lb.yaml"));
        assertTrue(deployment.contains("image: " + container.path("image").asString() + " "),
                "the same image as k8s/deployment_lb.yaml");
        assertFalse(Files.readString(Path.of("k8s", "kustomization.yaml")).contains("kserve"),
                "KServe objects need KServe installed: they stay out of the course's kustomization");
    }

    /** Starts the server with the runtime's own args, on a folder holding one .h5 as KServe's /mnt/models would. */
    @Test
    void theRuntimesContainerServesItsProbesAndTheModelUnderTheServicesName(@TempDir Path mnt) throws Exception {
        JsonNode container = only(KSERVE.resolve("servingruntime.yaml")).path("spec").path("containers").get(0);
        String name = only(KSERVE.resolve("inferenceservice.yaml")).path("metadata").path("name").asString();
        int port = container.path("ports").get(0).path("containerPort").asInt();
        List<String> args = new ArrayList<>();
        for (JsonNode arg : container.path("args")) {
            args.add(arg.asString().replace("{{.Name}}", name)
                    .replace("--port=" + port, "--port=0").replace("--model=/mnt/models", "--model=" + mnt));
        }
        assertEquals("serve", args.getFirst());
        assertTrue(args.contains("--port=0") && args.contains("--model=" + mnt), "port and model path: " + args);
        try (InputStream demo = EmbeddedModel.class.getClassLoader().getResourceAsStream(EmbeddedModel.RESOURCE)) {
            Files.copy(demo, mnt.resolve("ml-lb.h5"));
        }
        Map<String, String> env = new HashMap<>(Map.of("HOST", "127.0.0.1"));
        MlServer server = Serving.start(ServeConfigs.fromArguments(args.subList(1, args.size()), env));
        try {
            server.awaitStartup(Duration.ofMinutes(2));
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                JsonNode get = container.path(probe).path("httpGet");
                assertEquals(port, get.path("port").asInt(), probe + " targets the container port");
                assertEquals(200, get(server, get.path("path").asString()).statusCode(), probe);
            }
            HttpResponse<String> model = get(server, "/v2/models/" + name + "/ready");
            assertEquals(200, model.statusCode(), model.body());
            assertTrue(get(server, "/api/v1/model").body().contains("ml-lb.h5"), "the one file in the folder");
        } finally {
            server.drainAndStop();
        }
    }

    private static void assertProblem(CrdSchema schema, JsonNode object, String at, String field, String json,
                                      String expected) {
        JsonNode copy = object.deepCopy();
        ((tools.jackson.databind.node.ObjectNode) copy.at(at)).set(field, YAML.readTree(json));
        List<String> problems = schema.validate(copy);
        assertEquals(1, problems.size(), field + "=" + json + " gives one problem: " + problems);
        assertTrue(problems.getFirst().startsWith(expected), problems.getFirst());
    }

    private static JsonNode only(Path manifest) throws Exception {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(manifest.toFile())) {
            List<JsonNode> all = documents.readAll();
            assertEquals(1, all.size(), manifest + " holds one object");
            return all.getFirst();
        }
    }

    private static HttpResponse<String> get(MlServer server, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
