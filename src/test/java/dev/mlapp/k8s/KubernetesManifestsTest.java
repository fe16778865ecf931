package dev.mlapp.k8s;

import static dev.mlapp.serve.ServeSettings.PORT;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.cli.ServeConfigs;
import dev.mlapp.http.MlServer;
import dev.mlapp.http.ServerConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.SystemTools;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The manifests under k8s/ are valid Kubernetes API objects (strictly: unknown fields fail) and agree with the code:
 * the probes and the port are served by the real server started with the pod's own environment, labels tie the
 * Service, the PodDisruptionBudget and the autoscaler to the Deployment, and the numbers the course fixes hold.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final Path ML_APP = K8S.resolve("deployment_lb.yaml");
    private static final Path HELLO = K8S.resolve("deploy_loadbalancer.yaml");
    private static final Path AUTOSCALING = Path.of("k8s-overlays", "autoscaling");
    private static final Path HPA = AUTOSCALING.resolve("hpa").resolve("hpa.yaml");
    private static final int COURSE_REPLICAS = 5;
    private static final int COURSE_NODE_PORT = 32000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyManifestIsAValidKubernetesObject() throws IOException {
        List<Path> manifests;
        try (Stream<Path> files = Files.list(K8S)) {
            manifests = files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        }
        assertEquals(List.of(HELLO, ML_APP), manifests, "the manifests this test knows about");
        for (Path manifest : Stream.concat(manifests.stream(), Stream.of(HPA)).toList()) {
            assertFalse(read(manifest).isEmpty(), manifest + " has no objects");
        }
    }

    @Test
    void theValidatorRejectsWhatTheApiServerWould() {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  %s
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec: {containers: [{name: x, image: x, %s}]}
                """;
        assertFalse(StrictManifests.read(deployment.formatted("replicas: 5", "ports: [{containerPort: 5000}]"), "ok")
                .isEmpty());
        assertAll(
                () -> assertThrows(IllegalArgumentException.class, () -> StrictManifests.read(
                        deployment.formatted("replica: 5", "ports: [{containerPort: 5000}]"), "misspelt field")),
                () -> assertThrows(IllegalArgumentException.class, () -> StrictManifests.read(
                        deployment.formatted("replicas: 5", "ports: [{containerport: 5000}]"), "nested misspelling")),
                () -> assertThrows(IllegalArgumentException.class, () -> StrictManifests.read(
                        deployment.formatted("replicas: five", "ports: [{containerPort: 5000}]"), "wrong type")),
                () -> assertThrows(IllegalArgumentException.class, () -> StrictManifests.read(
                        deployment.formatted("replicas: 5", "ports: [{containerPort: 5000}]")
                                .replace("apps/v1", "extensions/v1beta1"), "removed API version")));
    }

    @Test
    void theMlAppRunsFiveReplicasBehindOneLoadBalancedServiceOnNodePort32000() throws IOException {
        List<HasMetadata> objects = read(ML_APP);
        Deployment deployment = only(objects, Deployment.class);
        Service service = only(objects, Service.class);
        PodDisruptionBudget budget = only(objects, PodDisruptionBudget.class);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();

        assertEquals(COURSE_REPLICAS, deployment.getSpec().getReplicas());
        assertTrue(podLabels.entrySet().containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()),
                "the Deployment's selector matches its own pods");
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
                "the Service selects the Deployment's pods");
        assertTrue(podLabels.entrySet().containsAll(budget.getSpec().getSelector().getMatchLabels().entrySet()),
                "the PodDisruptionBudget covers the Deployment's pods");
        assertEquals("LoadBalancer", service.getSpec().getType());
        ServicePort port = service.getSpec().getPorts().get(0);
        assertEquals(COURSE_NODE_PORT, port.getNodePort());
        assertEquals(PORT.defaultValue(), containerPort(container(deployment), port.getTargetPort()),
                "the Service's target port is the port the server listens on by default");
        assertTrue(Files.readString(Path.of("Dockerfile")).contains("\nEXPOSE " + PORT.defaultValue() + "\n"),
                "the image exposes the same port");
    }

    @Test
    void theMlAppPodServesItsProbesWhenStartedWithThePodsEnvironment() throws Exception {
        Container container = container(only(read(ML_APP), Deployment.class));
        assertEquals(List.of("/readyz", "/readyz", "/healthz"), List.of(
                container.getStartupProbe().getHttpGet().getPath(),
                container.getReadinessProbe().getHttpGet().getPath(),
                container.getLivenessProbe().getHttpGet().getPath()));
        String pod = "ml-app-7d9f8-abcde";
        MlServer server = startAsPod(container, pod);
        try {
            assertServesProbes(server, container, pod);
        } finally {
            server.drainAndStop();
        }
    }

    @Test
    void theLoadBalancingDemoRunsFiveHelloReplicasOnNodePort32000() throws Exception {
        List<HasMetadata> objects = read(HELLO);
        Deployment deployment = only(objects, Deployment.class);
        Service service = only(objects, Service.class);
        Container container = container(deployment);

        assertEquals(COURSE_REPLICAS, deployment.getSpec().getReplicas());
        assertTrue(deployment.getSpec().getTemplate().getMetadata().getLabels().entrySet()
                .containsAll(service.getSpec().getSelector().entrySet()));
        assertEquals(COURSE_NODE_PORT, service.getSpec().getPorts().get(0).getNodePort());
        assertEquals("hello", env(container).get("APP_MODE"));
        String pod = "hello-lb-5c6b7-xyz12";
        MlServer server = startAsPod(container, pod);
        try {
            assertServesProbes(server, container, pod);
            HttpResponse<String> whoami = get(server, "/whoami");
            assertEquals(200, whoami.statusCode());
            assertTrue(whoami.body().contains("hello user from " + pod), whoami.body());
        } finally {
            server.drainAndStop();
        }
    }

    @Test
    void everyPodGetsItsNameFromTheDownwardApiAndIsHardened() throws IOException {
        for (Path manifest : List.of(ML_APP, HELLO)) {
            Deployment deployment = only(read(manifest), Deployment.class);
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            Container container = container(deployment);
            EnvVar podName = container.getEnv().stream().filter(e -> e.getName().equals("POD_NAME")).findFirst()
                    .orElseThrow(() -> new AssertionError(manifest + ": no POD_NAME"));
            assertAll(manifest.toString(),
                    () -> assertEquals("metadata.name", podName.getValueFrom().getFieldRef().getFieldPath()),
                    () -> assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot()),
                    () -> assertEquals(dockerfileUser(), pod.getSecurityContext().getRunAsUser(),
                            "runAsUser is the image's own user"),
                    () -> assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType()),
                    () -> assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation()),
                    () -> assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem()),
                    () -> assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop()),
                    () -> assertTrue(container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")
                            && pod.getVolumes().stream().anyMatch(v -> v.getName().equals(m.getName())
                            && v.getEmptyDir() != null)), "a writable emptyDir on /tmp, the image's only written path"),
                    () -> assertTrue(pod.getTopologySpreadConstraints().stream()
                            .anyMatch(c -> c.getTopologyKey().equals("kubernetes.io/hostname")), "spread over nodes"));
        }
    }

    @Test
    void theGracePeriodCoversPreStopShutdownDelayAndDrain() throws IOException {
        for (Path manifest : List.of(ML_APP, HELLO)) {
            Deployment deployment = only(read(manifest), Deployment.class);
            Container container = container(deployment);
            List<String> preStop = container.getLifecycle().getPreStop().getExec().getCommand();
            assertEquals("sleep", preStop.get(0));
            ServerConfig config = ServeConfigs.fromEnvironment(env(container)).server();
            long needed = Long.parseLong(preStop.get(1)) + config.shutdownDelay().toSeconds()
                    + config.drainTimeout().toSeconds();
            long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
            assertTrue(grace > needed, manifest + ": grace " + grace + " s must exceed preStop + SHUTDOWN_DELAY"
                    + " + DRAIN_TIMEOUT = " + needed + " s, leaving time for the JVM to exit");
        }
    }

    @Test
    void theAutoscalerScalesTheMlAppAsTheCoursesExerciseDoesOnCpu() throws IOException {
        HorizontalPodAutoscaler hpa = only(read(HPA), HorizontalPodAutoscaler.class);
        Deployment deployment = only(read(ML_APP), Deployment.class);
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(deployment.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
        assertEquals(1, hpa.getSpec().getMinReplicas());
        assertEquals(COURSE_REPLICAS, hpa.getSpec().getMaxReplicas());
        assertEquals("cpu", hpa.getSpec().getMetrics().get(0).getResource().getName());
        assertEquals(40, hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization());
        assertTrue(container(deployment).getResources().getRequests().containsKey("cpu"),
                "CPU utilisation is measured against the CPU request, so the pods must have one");
    }

    @Test
    void theAutoscalingOverlayLeavesTheReplicaCountToTheAutoscalerAlone() throws Exception {
        List<HasMetadata> objects = kustomize(AUTOSCALING);
        assertEquals(List.of("Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"),
                objects.stream().map(HasMetadata::getKind).sorted().toList());
        assertNull(only(objects, Deployment.class).getSpec().getReplicas(),
                "with spec.replicas, every kubectl apply would reset the count the autoscaler chose");
    }

    @Test
    void kustomizeRendersTheMlAppWithRegistryTagAndReplicasFromOnePlace() throws Exception {
        List<HasMetadata> objects = kustomize(K8S);

        String kustomization = Files.readString(K8S.resolve("kustomization.yaml"));
        String image = field(kustomization, "newName") + ":" + field(kustomization, "newTag");
        Deployment deployment = only(objects, Deployment.class);
        assertEquals(image, container(deployment).getImage());
        assertEquals(Integer.parseInt(field(kustomization, "count")), deployment.getSpec().getReplicas());
        assertEquals(List.of("Deployment", "PodDisruptionBudget", "Service"),
                objects.stream().map(HasMetadata::getKind).sorted().toList(),
                "the ML app only (the hello demo uses the same node port), at a fixed count: no autoscaler");
    }

    /** Starts the real server as the pod would (its environment, its default port), but on a loopback test port. */
    private static MlServer startAsPod(Container container, String podName) {
        Map<String, String> env = env(container);
        env.put("POD_NAME", podName);
        assertEquals(container.getPorts().get(0).getContainerPort(), ServeConfigs.fromEnvironment(env).server().port(),
                "the server listens on the container port when the pod sets no PORT");
        env.put("HOST", "127.0.0.1");
        env.put("PORT", "0");
        return Serving.start(ServeConfigs.fromEnvironment(env));
    }

    private static void assertServesProbes(MlServer server, Container container, String podName) throws Exception {
        awaitReady(server);
        List<Probe> probes = Stream.of(container.getStartupProbe(), container.getReadinessProbe(),
                container.getLivenessProbe()).filter(java.util.Objects::nonNull).toList();
        assertFalse(probes.isEmpty());
        for (Probe probe : probes) {
            String path = probe.getHttpGet().getPath();
            assertTrue(server.routes().contains(path), path + " is one of the server's routes");
            assertEquals(PORT.defaultValue(), containerPort(container, probe.getHttpGet().getPort()));
            HttpResponse<String> response = get(server, path);
            assertEquals(200, response.statusCode(), path);
            assertEquals(podName, response.headers().firstValue("X-Pod-Name").orElse(null));
        }
    }

    private static void awaitReady(MlServer server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (get(server, "/readyz").statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "/readyz not green within 2 minutes");
            Thread.sleep(100);
        }
    }

    private static HttpResponse<String> get(MlServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<HasMetadata> kustomize(Path dir) throws Exception {
        Path kubectl = SystemTools.require("kubectl", "kubernetes-client");
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String rendered = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "kubectl kustomize " + dir + " failed");
        return StrictManifests.read(rendered, "kubectl kustomize " + dir);
    }

    private static List<HasMetadata> read(Path manifest) throws IOException {
        return StrictManifests.read(Files.readString(manifest), manifest.toString());
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, matching.size(), "one " + type.getSimpleName());
        return matching.get(0);
    }

    private static Container container(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    /** The container port a probe's or Service's port refers to, by number or by name. */
    private static int containerPort(Container container, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
    }

    /** The container's literal environment; variables from the Downward API get a stand-in value. */
    private static Map<String, String> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName,
                e -> e.getValue() != null ? e.getValue() : "from-" + e.getValueFrom().getFieldRef().getFieldPath(),
                (a, b) -> b, HashMap::new));
    }

    private static long dockerfileUser() throws IOException {
        Matcher user = Pattern.compile("(?m)^USER (\\d+)(:\\d+)?$").matcher(Files.readString(Path.of("Dockerfile")));
        assertTrue(user.find(), "the Dockerfile sets a numeric USER");
        return Long.parseLong(user.group(1));
    }

    private static String field(String yaml, String key) {
        Matcher matcher = Pattern.compile("(?m)^\\s*" + key + ":\\s*\"?([^\"#\\s]+)").matcher(yaml);
        assertTrue(matcher.find(), "kustomization.yaml sets " + key);
        return matcher.group(1);
    }
}
