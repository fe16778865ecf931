package dev.mlapp.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The hints a person copies from the start-up lines must work in the mode the server runs in. */
class StartupLinesTest {

    @Test
    void helloModeSuggestsWhoamiNotAPredictionItWouldAnswer404() {
        String hello = StartupLines.ready("http://localhost:5000/", true);
        assertTrue(hello.endsWith("try: curl http://localhost:5000/whoami"), hello);
        assertFalse(hello.contains("predict"), hello);
        String model = StartupLines.ready("http://localhost:5000/", false);
        assertTrue(model.endsWith("try: curl -F file=@photo.jpg http://localhost:5000/predict"), model);
    }
}
