package dev.mlapp.model;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;

/**
 * A {@link Model} backed by one TensorFlow session: a SavedModel's, or a graph the Keras importer built.
 * Session runs are thread-safe in TensorFlow, so concurrent callers share this instance.
 */
public final class TfModel implements Model {

    private final ModelInfo info;
    private final Session session;
    private final String inputName;
    private final String outputName;
    private final AutoCloseable owner;

    /**
     * @param session    the session to run; its graph must hold the input and output operations
     * @param inputName  graph name of the float32 input, e.g. {@code "input_1"} or {@code "serving_default_x:0"}
     * @param outputName graph name of the output to fetch
     * @param owner      what to close with this model (the bundle, or the graph and session)
     */
    public TfModel(ModelInfo info, Session session, String inputName, String outputName, AutoCloseable owner) {
        this.info = info;
        this.session = session;
        this.inputName = inputName;
        this.outputName = outputName;
        this.owner = owner;
    }

    /** The same session and graph under another name and description (the embedded model's own). */
    public TfModel withInfo(ModelInfo newInfo) {
        return new TfModel(newInfo, session, inputName, outputName, owner);
    }

    Session session() {
        return session;
    }

    String inputName() {
        return inputName;
    }

    String outputName() {
        return outputName;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public FloatArray predict(FloatArray input) {
        try (TFloat32 in = TFloat32.tensorOf(Shape.of(input.shape()), DataBuffers.of(input.data(), true, false))) {
            return run(in);
        }
    }

    @Override
    public FloatArray predictItems(List<float[]> items) {
        int itemSize = info.inputItemSize();
        for (float[] item : items) {
            if (item.length != itemSize) {
                throw new IllegalArgumentException("batch item has " + item.length + " values, the model takes "
                        + itemSize);
            }
        }
        Shape shape = Shape.of(Model.batchShape(info.inputShape(), items.size()));
        try (TFloat32 in = TFloat32.tensorOf(shape, tensor -> {
            FloatDataBuffer buffer = tensor.asRawTensor().data().asFloats();
            for (int i = 0; i < items.size(); i++) {
                buffer.offset((long) i * itemSize).write(items.get(i));
            }
        })) {
            return run(in);
        }
    }

    private FloatArray run(TFloat32 in) {
        try (Result result = session.runner().feed(inputName, in).fetch(outputName).run()) {
            return toFloatArray(result.get(0));
        } catch (IllegalArgumentException | IllegalStateException | org.tensorflow.exceptions.TensorFlowException e) {
            throw new InferenceException("TensorFlow failed on input " + Arrays.toString(in.shape().asArray())
                    + ": " + e.getMessage(), e);
        }
    }

    private static FloatArray toFloatArray(Tensor tensor) {
        if (!(tensor instanceof TFloat32 out)) {
            throw new IllegalStateException("model output is " + tensor.dataType() + ", expected float32");
        }
        long[] shape = out.shape().asArray();
        float[] data = new float[Math.toIntExact(out.size())];
        out.asRawTensor().data().asFloats().read(data);
        return new FloatArray(shape, data);
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing model " + info.name(), e);
        }
    }
}
