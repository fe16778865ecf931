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
 * {@code maxPixels} pixels from the header alone (before any pixel memory is allocated), decode the first frame,
 * reject truncated data that ImageIO would silently pad, and convert to RGB. Grey and colour JPEGs go to the
 * plugged-in {@link JpegDecoder} when there is one (several times faster than ImageIO's); CMYK JPEGs and the other
 * formats to ImageIO. Every failure, however hostile the bytes, becomes an {@link ImageException}.
 */
final class ImageDecoder {

    private final long maxPixels;
    private final BufferPool pool;
    private final JpegDecoder jpegDecoder;
    private final JpegScaling jpegScaling;

    ImageDecoder(long maxPixels, BufferPool pool) {
        this(maxPixels, pool, null, JpegScaling.EXACT);
    }

    /** @param jpegDecoder null to decode JPEGs with ImageIO too */
    ImageDecoder(long maxPixels, BufferPool pool, JpegDecoder jpegDecoder, JpegScaling jpegScaling) {
        this.maxPixels = maxPixels;
        this.pool = pool;
        this.jpegDecoder = jpegDecoder;
        this.jpegScaling = jpegScaling;
    }

    /** Decodes at full size. */
    DecodedImage decode(byte[] data) throws ImageException {
        return decode(data, Integer.MAX_VALUE, Integer.MAX_VALUE);
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
            ImageHeaders headers = ImageHeaders.read(format, data);
            if (headers.declaredWidth() > 0 && headers.declaredHeight() > 0) {
                checkSize(format, headers.declaredWidth(), headers.declaredHeight());
            }
            ImageEnds.requireComplete(format, data);
            // Only with a size checked above: a JPEG whose height comes later (DNL marker) goes to ImageIO,
            // whose reader reports the size before allocating.
            if (format == ImageFormat.JPEG && jpegDecoder != null && headers.declaredWidth() > 0
                    && headers.declaredHeight() > 0
                    && (headers.jpegComponents() == 1 || headers.jpegComponents() == 3)) {
                return decodeJpeg(headers, data, outWidth, outHeight);
            }
            return read(format, headers, data);
        } catch (IOException | RuntimeException e) {
            throw corrupt(format, e);
        } catch (OutOfMemoryError e) {
            // A decoder asked for one huge array despite the header check (e.g. a lying BMP): refuse the upload.
            throw new ImageException(ImageException.Kind.TOO_LARGE,
                    "the " + format + " image needs more memory than this server allows", e);
        } catch (StackOverflowError e) {
            throw corrupt(format, e);
        }
    }

    private static ImageException corrupt(ImageFormat format, Throwable cause) {
        return ImageException.undecodable(format.toString(), cause);
    }

    private DecodedImage decodeJpeg(ImageHeaders headers, byte[] data, int outWidth, int outHeight)
            throws ImageException {
        Orientation orientation = headers.orientation();
        boolean swap = orientation.swapsAxes();
        int denominator = jpegScaling.denominator(swap ? headers.declaredHeight() : headers.declaredWidth(),
                swap ? headers.declaredWidth() : headers.declaredHeight(), outWidth, outHeight);
        JpegDecoder.Pixels stored = jpegDecoder.decode(data, denominator, pool::acquire);
        int width = stored.width();
        return new DecodedImage(RgbImage.oriented(stored.rgb(), width, stored.height(), 3, width * 3, 0, 1, 2,
                orientation), true);
    }

    private DecodedImage read(ImageFormat format, ImageHeaders headers, byte[] data)
            throws IOException, ImageException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName());
        if (!readers.hasNext()) {
            throw new ImageException(ImageException.Kind.UNSUPPORTED_FORMAT,
                    "this server has no " + format + " decoder: send a JPEG or PNG");
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
                    throw ImageEnds.truncated(format, "its decoder ran out of data");
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
                    "the " + format + " image declares a size of " + width + "×" + height + ", which is no picture");
        }
        if (width > maxPixels / height) { // width × height > maxPixels, without overflowing for 2³²×2³²
            throw new ImageException(ImageException.Kind.TOO_LARGE, "the " + format + " image is " + width + "×"
                    + height + " pixels; this server takes at most " + maxPixels + " pixels");
        }
    }

}
