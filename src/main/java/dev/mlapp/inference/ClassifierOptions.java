package dev.mlapp.inference;

import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a loaded model is turned into a {@link Classifier}: the labels, the image preprocessing and the engine.
 *
 * @param modelPath   the model file or directory, beside which a labels file is looked for; null for the demo
 * @param labelsPath  the configured labels file; null to look beside the model, then use the defaults
 * @param scaling     how pixel values are scaled for the model; null to decide from the model ({@link InputPlan})
 * @param jpegScaling whether large JPEGs may be decoded at a reduced scale
 * @param maxPixels   largest declared image size accepted, checked before decoding
 * @param engine      batching, queue and deadline settings
 * @param calibrationBudget time to spend at warm-up measuring the best batch size and the queue capacity the
 *                    model supports ({@link Calibration}); zero uses {@code engine} as it is
 */
public record ClassifierOptions(Path modelPath, Path labelsPath, Scaling scaling, JpegScaling jpegScaling,
                                long maxPixels, EngineOptions engine, Duration calibrationBudget) {
}
