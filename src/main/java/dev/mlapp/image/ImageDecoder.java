package dev.mlapp.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.ImageIO;

/**
 * Upload bytes to upright RGB pixels: recognise the format by its magic bytes, refuse images declaring more than
 * {@code maxPixels} pixels from the header alone (before any pixel memory is allocated), decode the first frame
 * with ImageIO, reject truncated data that ImageIO would silently pad, and convert to RGB. Every failure, however
 * hostile the bytes, becomes an {@link ImageException}.
 */
final class ImageDecoder {

    private final long maxPixels;
    private final BufferPool pool;

    ImageDecoder(long maxPixels, BufferPool pool) {
        this.maxPixels = maxPixels;
        this.pool = pool;
    }

    DecodedImage decode(byte[] data) throws ImageException {
        if (data == null || data.length == 0) {
            throw new ImageException(ImageException.Kind.CORRUPT, "the image is empty");
        }
        ImageFormat format = ImageFormat.sniff(data).orElseThrow(() -> new ImageException(
                ImageException.Kind.UNSUPPORTED_FORMAT, "not an image: expected JPEG, PNG, GIF or BMP"));
        try {
            if (format == ImageFormat.PNG) {
                PngChunks.verify(data);
            }
            ImageHeaders headers = ImageHeaders.read(format, data);
            if (headers.declaredWidth() > 0 && headers.declaredHeight() > 0) {
                checkSize(format, headers.declaredWidth(), headers.declaredHeight());
            }
            return read(format, headers, data);
        } catch (IOException | RuntimeException e) {
            throw new ImageException(ImageException.Kind.CORRUPT,
                    "cannot decode the " + format + " image: " + describe(e), e);
        } catch (OutOfMemoryError e) {
            // A decoder asked for one huge array despite the header check (e.g. a lying BMP): refuse the upload.
            throw new ImageException(ImageException.Kind.TOO_LARGE,
                    "the " + format + " image needs more memory than this server allows", e);
        } catch (StackOverflowError e) {
            throw new ImageException(ImageException.Kind.CORRUPT, "cannot decode the " + format + " image", e);
        }
    }

    private DecodedImage read(ImageFormat format, ImageHeaders headers, byte[] data)
            throws IOException, ImageException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
        if (!readers.hasNext()) {
            throw new ImageException(ImageException.Kind.UNSUPPORTED_FORMAT, "no " + format + " decoder available");
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        try (ByteArrayImageInputStream in = new ByteArrayImageInputStream(data)) {
            reader.setInput(in, true, true);
            checkSize(format, reader.getWidth(0), reader.getHeight(0));
            DecodedImage image;
            if (format == ImageFormat.JPEG && headers.jpegComponents() == 4) {
                // CMYK/YCCK: convert the raw samples ourselves (older JDKs refuse them, newer ones colour-manage).
                Raster raster = reader.readRaster(0, null);
                image = RgbConverter.fromCmykRaster(raster, headers.adobeTransform() == ImageHeaders.ADOBE_YCCK,
                        headers.orientation(), pool);
            } else {
                BufferedImage decoded = reader.read(0);
                image = RgbConverter.convert(decoded, headers.orientation(), pool);
            }
            for (String warning : warnings) {
                String w = warning.toLowerCase(Locale.ROOT);
                if (w.contains("truncated") || w.contains("premature end")) {
                    if (image.pooled()) {
                        pool.release(image.pixels().data());
                    }
                    throw new ImageException(ImageException.Kind.CORRUPT,
                            "the " + format + " image is truncated (" + warning + ")");
                }
            }
            return image;
        } finally {
            reader.dispose();
        }
    }

    private void checkSize(ImageFormat format, long width, long height) throws ImageException {
        if (width <= 0 || height <= 0) {
            throw new ImageException(ImageException.Kind.CORRUPT,
                    "the " + format + " image declares a size of " + width + "×" + height);
        }
        if (width > maxPixels / height) { // width × height > maxPixels, without overflowing for 2³²×2³²
            throw new ImageException(ImageException.Kind.TOO_LARGE, "the " + format + " image is " + width + "×"
                    + height + " pixels; the limit is " + maxPixels + " pixels");
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
