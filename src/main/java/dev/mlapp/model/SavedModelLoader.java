package dev.mlapp.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.proto.DataType;

/** Loads a TensorFlow SavedModel directory through its {@code serving_default} signature. */
final class SavedModelLoader {

    private SavedModelLoader() {
    }

    /** The {@link ModelReader} of {@link ModelFormat#SAVED_MODEL}. */
    static TfModel load(Path dir, SessionOptions options) {
        SavedModelBundle bundle;
        try {
            bundle = SavedModelBundle.loader(dir.toString())
                    .withTags(SavedModelBundle.DEFAULT_TAG)
                    .withConfigProto(options.toConfigProto())
                    .load();
        } catch (RuntimeException e) {
            throw new ModelLoadException("cannot load SavedModel " + dir + ": " + e.getMessage(), e);
        }
        try {
            Signature signature = servingSignature(bundle, dir);
            Signature.TensorDescription input = single(signature.getInputs(), "input", dir);
            Signature.TensorDescription output = single(signature.getOutputs(), "output", dir);
            if (input.dataType != DataType.DT_FLOAT || output.dataType != DataType.DT_FLOAT) {
                throw new ModelLoadException("SavedModel " + dir + " must take and return float32 tensors");
            }
            ModelInfo info = new ModelInfo(dir.getFileName().toString(), ModelFormat.SAVED_MODEL.id(),
                    dir.toAbsolutePath().toString(), Digests.sha256(dir.resolve("saved_model.pb")),
                    withoutBatch(input.shape.asArray()), withoutBatch(output.shape.asArray()), false,
                    List.of(new ModelInfo.Detail("signature", signature.key())));
            return new TfModel(info, bundle.session(), input.name, output.name, bundle);
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    private static Signature servingSignature(SavedModelBundle bundle, Path dir) {
        List<Signature> signatures = bundle.signatures();
        return signatures.stream().filter(s -> s.key().equals(Signature.DEFAULT_KEY)).findFirst()
                .or(() -> signatures.size() == 1 ? signatures.stream().findFirst() : java.util.Optional.empty())
                .orElseThrow(() -> new ModelLoadException("SavedModel " + dir + " has no '"
                        + Signature.DEFAULT_KEY + "' signature"));
    }

    private static Signature.TensorDescription single(Map<String, Signature.TensorDescription> tensors,
                                                      String what, Path dir) {
        if (tensors.size() != 1) {
            throw new ModelLoadException("SavedModel " + dir + " must have exactly one " + what
                    + ", it has " + tensors.keySet());
        }
        return tensors.values().iterator().next();
    }

    private static long[] withoutBatch(long[] shape) {
        return shape.length == 0 ? shape : java.util.Arrays.copyOfRange(shape, 1, shape.length);
    }
}
