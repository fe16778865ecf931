package dev.mlapp.model.keras;

import dev.mlapp.model.FloatArray;
import java.util.List;

/** A Keras file's weight values, handed out per layer in the order the layer created them. */
interface WeightStore extends AutoCloseable {

    /** The layer's own weights (kernel before bias, gamma/beta before moving statistics); empty when it has none. */
    List<FloatArray> weightsOf(LayerPath layer);

    /**
     * A fresh namer for the layers of one container (a model), asked in the order the container lists them: the key
     * under which this store files each layer's weights, kept in its {@link LayerPath}. A store that finds weights
     * by the layers' own names has no keys (every key is empty).
     */
    default LayerKeys layerKeys() {
        return (className, weighted) -> "";
    }

    /** Names a container's layers as one weight store files them. */
    interface LayerKeys {

        /**
         * @param className the layer's Keras class
         * @param weighted  whether Keras gives the layer (or a model nested there) variables
         */
        String next(String className, boolean weighted);
    }

    @Override
    void close();
}
