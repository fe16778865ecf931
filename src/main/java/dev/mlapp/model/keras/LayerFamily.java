package dev.mlapp.model.keras;

/**
 * A group of related Keras layers (convolution, pooling, recurrent...) in one small file, adding its classes to the
 * {@link LayerRegistry}. Adding a layer is one {@code layers.add(...)} line in its family plus the translation.
 */
@FunctionalInterface
interface LayerFamily {

    void register(LayerRegistry.Builder layers);
}
