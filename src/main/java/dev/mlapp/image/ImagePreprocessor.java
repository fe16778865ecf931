package dev.mlapp.image;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * Turns an uploaded image into the model's input the way the course's Python pipeline does
 * ({@code Image.open → exif_transpose → convert('RGB') → resize((w, h), BICUBIC) → scale}): decode JPEG, PNG,
 * GIF (first frame) or BMP, honour the EXIF orientation, convert to RGB, resize with PIL's bicubic filter, scale,
 * then lay the values out as the model wants them ({@link ImageLayout}: grayscale, channels first).
 *
 * <p>Thread-safe; scratch buffers are pooled across calls, sized for {@code concurrentDecodes} calls at once. It
 * does not bound concurrency itself: each decode in flight holds a full-size decoded picture (up to 3 × maxPixels
 * bytes), so the caller runs it on a bounded pool (the server: {@code Classifier}'s decoding threads).
 */
public final class ImagePreprocessor implements AutoCloseable {

    /** Larger scratch arrays (pictures over ~5 megapixels) are not kept, so one huge upload does not pin memory. */
    private static final int MAX_POOLED_BYTES = 16 << 20;
    /** Scratch kept by the simple constructor: enough for a test or a command-line tool. */
    private static final int DEFAULT_CONCURRENT_DECODES = 2;

    private final ImageLayout layout;
    private final Scaling scaling;
    private final long maxPixels;
    private final float[] lut = new float[256];
    private final ImageDecoder decoder;
    private final BicubicResampler resampler;
    private final BufferPool pool;
    /** Resized RGB before {@link ImageLayout#rearrange}; unused when the layout is RGB channels-last. */
    private final ArrayBlockingQueue<float[]> rgbScratch;
    /** The decoder this preprocessor created and closes; null when the caller owns it. */
    private final TfImageDecoder ownedDecoder;

    /** RGB channels-last output, exact JPEG decoding, with a decoder of its own: close it to release that. */
    public ImagePreprocessor(int height, int width, Scaling scaling, long maxPixels) {
        this(ImageLayout.rgb(height, width), scaling, maxPixels, JpegScaling.EXACT, DEFAULT_CONCURRENT_DECODES);
    }

    /**
     * The server's preprocessing, with a {@link TfImageDecoder} of its own (a TensorFlow session): close it to
     * release that.
     *
     * @param jpegScaling       whether it may decode large JPEGs at a reduced scale
     * @param concurrentDecodes calls expected at once, for the size of the scratch pools
     */
    public ImagePreprocessor(ImageLayout layout, Scaling scaling, long maxPixels, JpegScaling jpegScaling,
                             int concurrentDecodes) {
        this(layout, scaling, maxPixels, new TfImageDecoder(), jpegScaling, concurrentDecodes, true);
    }

    /** As above, decoding with the caller's decoder, which the caller closes. */
    public ImagePreprocessor(ImageLayout layout, Scaling scaling, long maxPixels, TfImageDecoder decoder,
                             JpegScaling jpegScaling, int concurrentDecodes) {
        this(layout, scaling, maxPixels, decoder, jpegScaling, concurrentDecodes, false);
    }

    private ImagePreprocessor(ImageLayout layout, Scaling scaling, long maxPixels, TfImageDecoder tfDecoder,
                              JpegScaling jpegScaling, int concurrentDecodes, boolean owned) {
        this.layout = layout;
        this.scaling = scaling;
        this.maxPixels = maxPixels;
        for (int v = 0; v < 256; v++) {
            lut[v] = scaling.apply(v);
        }
        // A decode in flight borrows at most two pixel arrays (decoded pixels, and a BMP's palette expanded).
        this.pool = new BufferPool(2 * concurrentDecodes, MAX_POOLED_BYTES);
        this.decoder = new ImageDecoder(maxPixels, pool, tfDecoder, jpegScaling);
        this.resampler = new BicubicResampler(concurrentDecodes);
        this.rgbScratch = new ArrayBlockingQueue<>(concurrentDecodes);
        this.ownedDecoder = owned ? tfDecoder : null;
    }

    public ImageLayout layout() {
        return layout;
    }

    public Scaling scaling() {
        return scaling;
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** @return {@link ImageLayout#itemSize()} floats in the layout's order, scaled */
    public float[] toTensor(byte[] encoded) throws ImageException {
        float[] tensor = new float[layout.itemSize()];
        toTensor(encoded, tensor);
        return tensor;
    }

    /**
     * As {@link #toTensor(byte[])}, into the caller's array, which a server reuses across requests (an item of a
     * 224×224 model is 600 KB: a humongous object for G1 with its default 1 MB regions, i.e. heaps under 4 GB).
     *
     * @param into at least {@link ImageLayout#itemSize()} floats; the first that many are overwritten
     */
    public void toTensor(byte[] encoded, float[] into) throws ImageException {
        if (into.length < layout.itemSize()) {
            throw new IllegalArgumentException("tensor array holds " + into.length + " floats, not "
                    + layout.itemSize() + " (" + layout + ")");
        }
        DecodedImage image = decoder.decode(encoded, layout.width(), layout.height());
        try {
            if (layout.isRgbChannelsLast()) {
                resampler.resize(image.pixels(), layout.width(), layout.height(), lut, into);
            } else {
                float[] rgb = acquireRgb();
                try {
                    resampler.resize(image.pixels(), layout.width(), layout.height(), lut, rgb);
                    layout.rearrange(rgb, into, lut[255]);
                } finally {
                    rgbScratch.offer(rgb);
                }
            }
        } finally {
            if (image.pooled()) {
                pool.release(image.pixels().data());
            }
        }
    }

    private float[] acquireRgb() {
        float[] rgb = rgbScratch.poll();
        return rgb != null ? rgb : new float[layout.height() * layout.width() * 3];
    }

    /** Releases the decoder if this preprocessor created it. */
    @Override
    public void close() {
        if (ownedDecoder != null) {
            ownedDecoder.close();
        }
    }
}
