package dev.mlapp.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DemoModelTest {

    @Test
    void demoModelReturnsElevenProbabilitiesPerImage() {
        try (Model model = ModelLoader.load(null, SessionOptions.TENSORFLOW_DEFAULTS)) {
            float[] batch = new float[2 * 224 * 224 * 3];
            for (int i = 0; i < batch.length; i++) {
                batch[i] = (i % 255) / 255f;
            }
            FloatArray out = model.predict(new FloatArray(new long[] {2, 224, 224, 3}, batch));
            assertArrayEquals(new long[] {2, 11}, out.shape());
            for (int b = 0; b < 2; b++) {
                double sum = 0;
                for (float p : out.item(b)) {
                    assertTrue(p >= 0 && p <= 1);
                    sum += p;
                }
                assertEquals(1.0, sum, 1e-5);
            }
            assertTrue(model.info().demo());
            assertEquals(EmbeddedModel.NAME, model.info().name());
            assertEquals("keras-h5", model.info().format(), "imported through the Keras importer");
            assertEquals("embedded:models/demo-food11.h5", model.info().source());
            assertArrayEquals(new long[] {224, 224, 3}, model.info().inputShape());
            assertArrayEquals(new long[] {11}, model.info().outputShape());
        }
    }

    /**
     * A batch of items goes straight into TensorFlow's input tensor, as for every imported model: the embedded
     * model once fell back to the default that first copies the batch into one Java array (4.8 MB for 8 items,
     * a humongous allocation on every batch).
     */
    @Test
    void batchesOfItemsAreNotCopiedIntoAJavaArrayFirst() {
        try (Model model = ModelLoader.load(null, SessionOptions.TENSORFLOW_DEFAULTS)) {
            java.util.List<float[]> items = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                items.add(new float[model.info().inputItemSize()]);
            }
            model.predictItems(items); // warm-up: first runs allocate lazily
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            FloatArray out = model.predictItems(items);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertArrayEquals(new long[] {8, 11}, out.shape());
            long batchBytes = 8L * 4 * model.info().inputItemSize();
            assertTrue(allocated < batchBytes / 4, "allocated " + allocated + " bytes on the Java heap for a batch of "
                    + batchBytes);
        }
    }
}
