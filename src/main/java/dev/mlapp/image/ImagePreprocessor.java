package dev.mlapp.image;

import java.util.concurrent.Semaphore;

/**
 * Turns an uploaded image into the model's input the way the course's Python pipeline does
 * ({@code Image.open → exif_transpose → convert('RGB') → resize((w, h), BICUBIC) → scale}): decode JPEG, PNG,
 * GIF (first frame) or BMP, honour the EXIF orientation, convert to RGB, resize with PIL's bicubic filter, scale.
 * Thread-safe; scratch buffers are pooled across calls. At most {@link #CONCURRENT_DECODES} images are decoded at
 * once: decoding is CPU-bound, so more would not finish sooner, and each one in flight holds a full-size decoded
 * picture (up to 3 × maxPixels bytes); with requests on virtual threads nothing else would bound that memory.
 */
public final class ImagePreprocessor {

    /** One decode per core (at least two, so a slow decode never blocks all others on a one-core pod). */
    static final int CONCURRENT_DECODES = Math.max(2, Runtime.getRuntime().availableProcessors());
    /** Pixel arrays kept for reuse: a decode in flight borrows at most two (decoded and converted pixels). */
    private static final int POOLED_BUFFERS = 2 * CONCURRENT_DECODES;
    /** Larger scratch arrays (pictures over ~5 megapixels) are not kept, so one huge upload does not pin memory. */
    private static final int MAX_POOLED_BYTES = 16 << 20;

    private final int height;
    private final int width;
    private final Scaling scaling;
    private final long maxPixels;
    private final float[] lut = new float[256];
    private final ImageDecoder decoder;
    private final BicubicResampler resampler;
    private final BufferPool pool;
    private final Semaphore decodeSlots = new Semaphore(CONCURRENT_DECODES, true);

    /** Decodes every format with ImageIO. */
    public ImagePreprocessor(int height, int width, Scaling scaling, long maxPixels) {
        this(height, width, scaling, maxPixels, null, JpegScaling.EXACT);
    }

    /**
     * @param jpegDecoder for grey and colour JPEGs (null: ImageIO); its owner closes it
     * @param jpegScaling whether it may decode large JPEGs at a reduced scale
     */
    public ImagePreprocessor(int height, int width, Scaling scaling, long maxPixels, JpegDecoder jpegDecoder,
                             JpegScaling jpegScaling) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("model input size must be positive, not " + height + "×" + width);
        }
        this.height = height;
        this.width = width;
        this.scaling = scaling;
        this.maxPixels = maxPixels;
        for (int v = 0; v < 256; v++) {
            lut[v] = scaling.apply(v);
        }
        this.pool = new BufferPool(POOLED_BUFFERS, MAX_POOLED_BYTES);
        this.decoder = new ImageDecoder(maxPixels, pool, jpegDecoder, jpegScaling);
        this.resampler = new BicubicResampler();
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public Scaling scaling() {
        return scaling;
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** @return height × width × 3 floats, row-major RGB, scaled */
    public float[] toTensor(byte[] encoded) throws ImageException {
        float[] tensor = new float[height * width * 3];
        toTensor(encoded, tensor);
        return tensor;
    }

    /**
     * As {@link #toTensor(byte[])}, into the caller's array (so that a server can reuse its input buffers).
     *
     * @param into at least height × width × 3 floats; the first height × width × 3 are overwritten
     */
    public void toTensor(byte[] encoded, float[] into) throws ImageException {
        if (into.length < height * width * 3) {
            throw new IllegalArgumentException("tensor array holds " + into.length + " floats, not " + height + "×"
                    + width + "×3");
        }
        decodeSlots.acquireUninterruptibly();
        try {
            DecodedImage image = decoder.decode(encoded, width, height);
            try {
                resampler.resize(image.pixels(), width, height, lut, into);
            } finally {
                if (image.pooled()) {
                    pool.release(image.pixels().data());
                }
            }
        } finally {
            decodeSlots.release();
        }
    }
}
