package dev.mlapp.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One image reference: {@code k8s/kustomization.yaml}'s {@code images:} entry is where registry, name and tag are set,
 * and every other place a person or a playbook takes them from (the manifests, the KServe runtime, the Ansible
 * settings role, the README's docker commands) must say the same, so manual and Ansible steps run the same pods.
 */
class ImageReferenceTest {

    private static final Pattern IMAGE = Pattern.compile("(?m)^\\s*image:\\s*(\\S+)");
    private static final Pattern DOCKER = Pattern.compile("docker (?:build -t|push) (\\S+)");
    /** The one place the Ansible roles set registry, image and tag (every role depends on mlapp_common). */
    private static final String ANSIBLE_SETTINGS = "ansible/roles/mlapp_common/defaults/main.yml";
    /** Where the deploy role names the image as the manifests write it, for its kustomize overlay to replace. */
    private static final String ANSIBLE_DEPLOY = "ansible/roles/mlapp_deploy/defaults/main.yml";

    @Test
    void everyPlaceNamesTheKustomizationsImage() throws IOException {
        String reference = kustomizationImage();
        List<String> places = new ArrayList<>();
        for (String manifest : List.of("k8s/deployment_lb.yaml", "k8s/deploy_loadbalancer.yaml",
                "k8s/kserve/servingruntime.yaml")) {
            all(IMAGE, manifest).forEach(image -> places.add(manifest + ": " + image));
        }
        String settings = Files.readString(Path.of(ANSIBLE_SETTINGS));
        places.add(ANSIBLE_SETTINGS + ": " + value(settings, "mlapp_registry") + "/" + value(settings, "mlapp_image")
                + ":" + value(settings, "mlapp_tag"));
        all(DOCKER, "README.md").forEach(image -> places.add("README.md: " + image));
        assertFalse(places.isEmpty());
        for (String place : places) {
            assertEquals(reference, place.substring(place.indexOf(": ") + 2), place);
        }
    }

    @Test
    void theDeployRoleReplacesTheImageNameTheManifestsUse() throws IOException {
        String kustomization = Files.readString(Path.of("k8s/kustomization.yaml"));
        assertEquals(value(kustomization, "- name"), value(Files.readString(Path.of(ANSIBLE_DEPLOY)),
                "mlapp_deploy_k8s_base_image"), ANSIBLE_DEPLOY);
    }

    private static String kustomizationImage() throws IOException {
        String text = Files.readString(Path.of("k8s/kustomization.yaml"));
        return value(text, "newName") + ":" + value(text, "newTag");
    }

    private static String value(String yaml, String key) {
        Matcher m = Pattern.compile("(?m)^\\s*" + key + ":\\s*\"?([^\"\\s#]+)").matcher(yaml);
        if (!m.find()) {
            throw new AssertionError(key + " is not set");
        }
        return m.group(1);
    }

    private static List<String> all(Pattern pattern, String file) throws IOException {
        Matcher m = pattern.matcher(Files.readString(Path.of(file)));
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
