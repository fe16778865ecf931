package dev.mlapp.model.keras;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.model.ModelLoadException;
import org.junit.jupiter.api.Test;

/** What PythonCode refuses before a graph is built, and what each refusal says. */
class PythonCodeTest {

    private static JsonObject model(String layer) {
        return JsonParser.parseString("{\"class_name\": \"Functional\", \"config\": {\"name\": \"m\", \"layers\": ["
                + layer + "]}}").getAsJsonObject();
    }

    private static String refusal(String layer) {
        return assertThrows(ModelLoadException.class, () -> PythonCode.refuse(model(layer))).getMessage();
    }

    @Test
    void aLambdaReferencingARegisteredFunctionByNameSaysSo() {
        String tfKeras = refusal("{\"class_name\": \"Lambda\", \"config\": {\"name\": \"hub\", \"function\": "
                + "\"hub_layer\", \"function_type\": \"function\", \"module\": \"__main__\"}}");
        assertTrue(tfKeras.contains("calls the Python function 'hub_layer' of module __main__ by name")
                && !tfKeras.contains("bytecode") && tfKeras.contains("Replace the Lambda"), tfKeras);
        String keras3 = refusal("{\"module\": \"keras.layers\", \"class_name\": \"Lambda\", \"config\": {\"name\": "
                + "\"hub\", \"function\": {\"module\": \"builtins\", \"class_name\": \"function\", \"config\": "
                + "\"hub_layer\", \"registered_name\": \"function\"}}}");
        assertTrue(keras3.contains("'hub_layer'") && keras3.contains("by name"), keras3);
    }

    @Test
    void aLambdaWithBytecodeSaysBytecode() {
        String tfKeras = refusal("{\"class_name\": \"Lambda\", \"config\": {\"name\": \"l\", \"function\": "
                + "[\"4wEAAAAAAAAA\", null, null], \"function_type\": \"lambda\"}}");
        assertTrue(tfKeras.contains("stored as bytecode"), tfKeras);
        String keras3 = refusal("{\"module\": \"keras.layers\", \"class_name\": \"Lambda\", \"config\": {\"name\": "
                + "\"l\", \"function\": {\"class_name\": \"__lambda__\", \"config\": {\"value\": \"4wEA\"}}}}");
        assertTrue(keras3.contains("stored as bytecode"), keras3);
    }

    @Test
    void convNextLayerScaleIsAcceptedOnlyFromItsApplicationModule() {
        assertDoesNotThrow(() -> PythonCode.refuse(model("{\"module\": \"keras.src.applications.convnext\", "
                + "\"class_name\": \"LayerScale\", \"config\": {\"name\": \"ls\"}, \"registered_name\": "
                + "\"LayerScale\"}")));
        String own = refusal("{\"module\": \"my_project.blocks\", \"class_name\": \"LayerScale\", \"config\": "
                + "{\"name\": \"ls\"}, \"registered_name\": \"LayerScale\"}");
        assertTrue(own.contains("'ls' (LayerScale) is a custom class") && own.contains("my_project.blocks"), own);
    }

    @Test
    void aCustomClassUnderABuiltInNameIsRefusedNotBuiltAsTheBuiltIn() {
        String keras3 = refusal("{\"module\": \"my_project.layers\", \"class_name\": \"Dense\", \"config\": "
                + "{\"name\": \"d\", \"units\": 2}, \"registered_name\": \"MyProject>Dense\"}");
        assertTrue(keras3.contains("'d' (Dense) is a custom class") && keras3.contains("my_project.layers"), keras3);
        String tfKeras = refusal("{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2}, "
                + "\"registered_name\": \"MyProject>Dense\"}");
        assertTrue(tfKeras.contains("'d' (Dense) is a custom class"), tfKeras);
        assertDoesNotThrow(() -> PythonCode.refuse(model("{\"module\": \"keras.layers\", \"class_name\": "
                + "\"Dense\", \"config\": {\"name\": \"d\", \"units\": 2}, \"registered_name\": null}")));
    }
}
