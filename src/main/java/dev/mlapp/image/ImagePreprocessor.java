package dev.mlapp.image;

/**
 * Turns an uploaded image into the model's input the way the course's Python pipeline does
 * ({@code Image.open → exif_transpose → convert('RGB') → resize((w, h), BICUBIC) → scale}): decode JPEG, PNG,
 * GIF (first frame) or BMP, honour the EXIF orientation, convert to RGB, resize with PIL's bicubic filter, scale.
 * Thread-safe; scratch buffers are pooled across calls.
 */
public final class ImagePreprocessor {

    /** Scratch arrays kept for reuse: about one per core of concurrent preprocessing is plenty. */
    private static final int POOLED_BUFFERS = 2 * Runtime.getRuntime().availableProcessors() + 2;
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

    public ImagePreprocessor(int height, int width, Scaling scaling, long maxPixels) {
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
        this.decoder = new ImageDecoder(maxPixels, pool);
        this.resampler = new BicubicResampler(pool);
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
        DecodedImage image = decoder.decode(encoded);
        try {
            return resampler.resize(image.pixels(), width, height, lut);
        } finally {
            if (image.pooled()) {
                pool.release(image.pixels().data());
            }
        }
    }
}
