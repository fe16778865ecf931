package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.model.Model;
import dev.mlapp.model.ModelLoader;
import dev.mlapp.model.SessionOptions;
import dev.mlapp.testing.SystemTools;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What real users' files say about their input, read from their structure (../shared/keras-realworld). */
class InputFactsTest {

    @ParameterizedTest
    @CsvSource({
        // Sequential[Sequential[Resizing, Rescaling], ...]: resizing keeps values, so Rescaling comes first
        "potato_cnn_vivek_h5/model.h5, input_rescaling, 'Rescaling(scale=0.00392156862745098, offset=0.0)'",
        // Rescaling behind Sequential[RandomFlip, RandomRotation] (no-ops at inference), in a Keras 3 zip
        "pneumonia_cnn_bharasaurus_k215/model.keras, input_rescaling, 'Rescaling(scale=0.00392156862745098, offset=0.0)'",
        "image_cnn_kristy_k3/model.keras, input_rescaling, 'Rescaling(scale=0.00392156862745098, offset=0.0)'",
        "tm_catdog_mobilenet_h5/model.h5, base_network, MobileNetV2",
        // Teachable Machine's export, recognised without its labels.txt
        "tm_covid_xray_mobilenet_h5/model.h5, teachable_machine, 'a Keras MobileNetV2 and layers named as Teachable "
                + "Machine''s TensorFlow.js converter names them (global_average_pooling2d_GlobalAveragePooling2D6, "
                + "dense_Dense11, dense_Dense12)'",
        // Keras's own layer names and no MobileNet: nothing of Teachable Machine's
        "cifar10_cnn_ghlissi_h5/model.h5, teachable_machine, ",
        "cifar10_cnn_ghlissi_h5/model.h5, input_rescaling, ",
    })
    void realFilesReportWhatTheirInputWants(String file, String key, String expected) {
        Path path = SystemTools.requireShared("keras-realworld").resolve(file);
        try (Model model = ModelLoader.load(path, SessionOptions.TENSORFLOW_DEFAULTS)) {
            Optional<String> value = model.info().detail(key);
            assertEquals(Optional.ofNullable(expected), value, file + ": " + model.info().details());
        }
    }

    @Test
    void tensorFlowJsLayerNamesAreToldFromKerasNames() {
        assertTrue(InputFacts.isTensorFlowJsName("dense_Dense1", "Dense"));
        assertTrue(InputFacts.isTensorFlowJsName("global_average_pooling2d_GlobalAveragePooling2D1",
                "GlobalAveragePooling2D"));
        assertTrue(InputFacts.isTensorFlowJsName("conv2d_Conv2D12", "Conv2D"));
        assertFalse(InputFacts.isTensorFlowJsName("dense_1", "Dense"), "Keras's own name");
        assertFalse(InputFacts.isTensorFlowJsName("dense_Dense1", "Conv2D"), "another class's name");
        assertFalse(InputFacts.isTensorFlowJsName("Conv1", "Conv2D"));
    }
}
