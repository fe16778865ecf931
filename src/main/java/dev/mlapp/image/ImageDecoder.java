package dev.mlapp.image;

/**
 * Upload bytes to upright RGB pixels: recognise the format by its magic bytes, refuse images declaring more than
 * {@code maxPixels} pixels from the header alone (before any pixel memory is allocated), reject truncated data,
 * decode the first frame with TensorFlow's kernels ({@link TfImageDecoder}) and turn what they return into RGB the
 * way PIL's {@code convert('RGB')} does (grey replicated, alpha dropped, palettes looked up). Every failure,
 * however hostile the bytes, becomes an {@link ImageException}.
 */
final class ImageDecoder {

    private final long maxPixels;
    private final BufferPool pool;
    private final TfImageDecoder decoder;
    private final JpegScaling jpegScaling;

    ImageDecoder(long maxPixels, BufferPool pool, TfImageDecoder decoder, JpegScaling jpegScaling) {
        this.maxPixels = maxPixels;
        this.pool = pool;
        this.decoder = decoder;
        this.jpegScaling = jpegScaling;
    }

    /** @param outWidth the size the picture will be resized to, which bounds how far {@link JpegScaling} may go */
    DecodedImage decode(byte[] data, int outWidth, int outHeight) throws ImageException {
        if (data == null || data.length == 0) {
            throw new ImageException(ImageException.Kind.CORRUPT, "the image is empty");
        }
        ImageFormat format = ImageFormat.sniff(data).orElseThrow(() -> new ImageException(
                ImageException.Kind.UNSUPPORTED_FORMAT, "this is not an image this server reads: send a JPEG, PNG,"
                + " GIF or BMP"));
        try {
            if (format == ImageFormat.BMP) {
                BmpLayout.requireSupported(data); // its kinds first: an OS/2 header would give a size of its own
            }
            ImageHeaders headers = ImageHeaders.read(format, data);
            boolean sized = headers.declaredWidth() > 0 && headers.declaredHeight() > 0;
            if (sized) {
                checkSize(format, headers.declaredWidth(), headers.declaredHeight());
            }
            ImageEnds.requireComplete(format, data); // a file cut short is "truncated", whatever its header says
            if (!sized) {
                checkSize(format, headers.declaredWidth(), headers.declaredHeight());
            }
            return switch (format) {
                case JPEG -> decodeJpeg(headers, data, outWidth, outHeight);
                case PNG -> upright(decoder.decode(format, data, pool::acquire), headers.orientation());
                case GIF -> decodeGif(data);
                case BMP -> decodeBmp(data);
            };
        } catch (RuntimeException | StackOverflowError e) {
            throw ImageException.undecodable(format.toString(), e);
        } catch (OutOfMemoryError e) {
            throw new ImageException(ImageException.Kind.TOO_LARGE,
                    "the " + format + " image needs more memory than this server allows", e);
        }
    }

    private DecodedImage decodeJpeg(ImageHeaders headers, byte[] data, int outWidth, int outHeight)
            throws ImageException {
        Orientation orientation = headers.orientation();
        boolean swap = orientation.swapsAxes();
        // CMYK and YCCK at full size only: libjpeg-turbo converts their ink to RGB after the IDCT.
        int denominator = headers.jpegComponents() == 4 ? 1 : jpegScaling.denominator(
                swap ? headers.declaredHeight() : headers.declaredWidth(),
                swap ? headers.declaredWidth() : headers.declaredHeight(), outWidth, outHeight);
        return upright(decoder.decode(data, denominator, pool::acquire), orientation);
    }

    private DecodedImage decodeGif(byte[] data) throws ImageException {
        GifFirstFrame frame = GifFirstFrame.of(data);
        checkSize(ImageFormat.GIF, frame.width(), frame.height());
        return upright(decoder.decode(ImageFormat.GIF, frame.bytes(), pool::acquire), Orientation.NORMAL);
    }

    private DecodedImage decodeBmp(byte[] data) throws ImageException {
        TfImageDecoder.Pixels stored = decoder.decode(ImageFormat.BMP, BmpLayout.withoutTrailingBytes(data),
                pool::acquire);
        if (stored.channels() != 1) {
            return upright(stored, Orientation.NORMAL);
        }
        int pixels = stored.width() * stored.height();
        byte[] rgb = pool.acquire(pixels * 3);
        BmpLayout.expandPalette(data, stored.data(), pixels, rgb);
        pool.release(stored.data());
        return upright(new TfImageDecoder.Pixels(rgb, stored.width(), stored.height(), 3), Orientation.NORMAL);
    }

    /** Pooled pixels of 3 (RGB) or 4 (RGBA: the alpha byte is skipped, as PIL drops it) channels, oriented. */
    private DecodedImage upright(TfImageDecoder.Pixels stored, Orientation orientation) {
        int channels = stored.channels();
        if (channels != 3 && channels != 4) {
            pool.release(stored.data());
            throw new IllegalStateException("the decoder returned " + channels + " channels");
        }
        int width = stored.width();
        return new DecodedImage(RgbImage.oriented(stored.data(), width, stored.height(), channels, width * channels,
                0, 1, 2, orientation), true);
    }

    private void checkSize(ImageFormat format, long width, long height) throws ImageException {
        if (width <= 0 || height <= 0) {
            throw new ImageException(ImageException.Kind.CORRUPT, "the " + format + " image declares a size of "
                    + width + "×" + height + ", which is no picture" + (format == ImageFormat.JPEG && height == 0
                    ? " (a height left to a DNL marker, which this server does not read)" : ""));
        }
        if (width > maxPixels / height) { // width × height > maxPixels, without overflowing for 2³²×2³²
            throw new ImageException(ImageException.Kind.TOO_LARGE, "the " + format + " image is " + width + "×"
                    + height + " pixels; this server takes at most " + maxPixels + " pixels");
        }
    }
}
