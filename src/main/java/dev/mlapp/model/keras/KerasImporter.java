package dev.mlapp.model.keras;

import dev.mlapp.model.Digests;
import dev.mlapp.model.ModelFormat;
import dev.mlapp.model.ModelInfo;
import dev.mlapp.model.ModelLoadException;
import dev.mlapp.model.ModelReader;
import dev.mlapp.model.SessionOptions;
import dev.mlapp.model.TfModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Rebuilds a Keras model file ({@code .h5} from Keras 2 or 3, {@code .keras} archives) as a TensorFlow graph in
 * one session, with no Python: the format's reader ({@link LegacyH5Reader}, {@link KerasArchiveReader}) produces
 * a {@link KerasModelFile}, {@link GraphBuilder} wires the layers, the {@link LayerRegistry} translates each layer.
 *
 * <p>{@code dev.mlapp.model.ModelLoader} finds the two readers through this class, listed in
 * {@code META-INF/services}, and picks one by the format it detected.
 */
public final class KerasImporter implements ModelReader.Provider {

    /** For {@link java.util.ServiceLoader}. */
    public KerasImporter() {
    }

    @Override
    public Map<ModelFormat, ModelReader> readers() {
        return Map.of(ModelFormat.KERAS_H5, new LegacyH5Reader(), ModelFormat.KERAS_ZIP, KerasImporter::importArchive);
    }

    private static TfModel importArchive(Path file, SessionOptions options) {
        try (KerasModelFile keras = KerasArchiveReader.read(file)) {
            return build(file, keras, options);
        }
    }

    private static List<ModelInfo.Detail> details(KerasModelFile keras, GraphBuilder builder) {
        List<ModelInfo.Detail> details = new ArrayList<>(List.of(
                new ModelInfo.Detail("keras_version", keras.kerasVersion()),
                new ModelInfo.Detail("backend", keras.backend()),
                new ModelInfo.Detail("model_class", keras.modelConfig().get("class_name").getAsString()),
                new ModelInfo.Detail("layers", Integer.toString(builder.layerCount())),
                new ModelInfo.Detail("parameters", Long.toString(builder.parameterCount()))));
        details.addAll(InputFacts.of(keras.modelConfig()));
        return details;
    }

    /**
     * Everything that can fail (the graph, the file's digest) runs before the session exists, and a failure closes
     * what was opened in reverse order: TF-Java's {@code Graph.close()} waits for the graph's open sessions, so
     * closing the graph under a live session would block the loading thread for good (issue #25).
     */
    static TfModel build(Path file, KerasModelFile keras, SessionOptions options) {
        Graph graph = new Graph();
        Session session = null;
        try {
            Ops tf = Ops.create(graph);
            GraphBuilder builder = new GraphBuilder(tf, keras);
            Operand<TFloat32> output = builder.build(keras.modelConfig());
            long[] outputShape = output.shape().asArray();
            String fileName = file.getFileName().toString();
            ModelInfo info = new ModelInfo(fileName, keras.format(), file.toAbsolutePath().toString(),
                    Digests.sha256(file), builder.inputShape(),
                    java.util.Arrays.copyOfRange(outputShape, 1, outputShape.length), false,
                    details(keras, builder));
            session = new Session(graph, options.toConfigProto());
            Session owned = session;
            return new TfModel(info, session, GraphBuilder.INPUT, GraphBuilder.OUTPUT, () -> {
                owned.close();
                graph.close();
            });
        } catch (RuntimeException e) {
            if (session != null) {
                session.close();
            }
            graph.close();
            if (e instanceof ModelLoadException) {
                throw e;
            }
            throw new ModelLoadException("cannot import Keras model " + file + ": " + e.getMessage(), e);
        }
    }
}
