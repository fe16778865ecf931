package dev.mlapp.inference;

import dev.mlapp.image.ImageException;
import dev.mlapp.image.ImagePreprocessor;
import dev.mlapp.image.JpegScaling;
import dev.mlapp.image.Scaling;

/**
 * The server's preprocessing for one model: the Java image pipeline (PIL-exact resize) with grey and colour JPEGs
 * decoded by TensorFlow's libjpeg-turbo ({@link TfJpegDecoder}: several times faster than ImageIO, and the same
 * pixels as PIL's), rearranged to the model's {@link ImageLayout}. Owns the decoder's TensorFlow session.
 */
public final class ImagePipeline implements Preprocessor, AutoCloseable {

    private final TfJpegDecoder jpegDecoder;
    private final Preprocessor shaped;

    public ImagePipeline(ImageLayout layout, Scaling scaling, long maxPixels, JpegScaling jpegScaling) {
        this.jpegDecoder = new TfJpegDecoder();
        ImagePreprocessor rgb = new ImagePreprocessor(layout.height(), layout.width(), scaling, maxPixels,
                jpegDecoder, jpegScaling);
        this.shaped = layout.adapt(Preprocessor.of(rgb));
    }

    @Override
    public float[] toTensor(byte[] image) throws ImageException {
        return shaped.toTensor(image);
    }

    @Override
    public void toTensor(byte[] image, float[] into) throws ImageException {
        shaped.toTensor(image, into);
    }

    @Override
    public void close() {
        jpegDecoder.close();
    }
}
