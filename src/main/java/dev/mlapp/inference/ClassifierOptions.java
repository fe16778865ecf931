package dev.mlapp.inference;

import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;
import java.nio.file.Path;

/**
 * How a loaded model is turned into a {@link Classifier}: the labels, the image preprocessing and the engine.
 *
 * @param labelsPath  one label per line; null for the model's default labels
 * @param scaling     how pixel values are scaled for the model
 * @param jpegScaling whether large JPEGs may be decoded at a reduced scale
 * @param maxPixels   largest declared image size accepted, checked before decoding
 * @param engine      batching, queue and deadline settings
 */
public record ClassifierOptions(Path labelsPath, Scaling scaling, JpegScaling jpegScaling, long maxPixels,
                                EngineOptions engine) {
}
