package dev.mlapp.model.keras;

import dev.mlapp.model.FloatArray;
import java.util.List;

/** A Keras file's weight values, handed out per layer in the order the layer created them. */
interface WeightStore extends AutoCloseable {

    /** The layer's own weights (kernel before bias, gamma/beta before moving statistics); empty when it has none. */
    List<FloatArray> weightsOf(LayerPath layer);

    /** A fresh counter for the {@code .keras} weight keys of one container's layers (ignored by HDF5 files). */
    default KerasArchiveReader.ArchiveKeys containerKeys() {
        return new KerasArchiveReader.ArchiveKeys(false);
    }

    @Override
    void close();
}
