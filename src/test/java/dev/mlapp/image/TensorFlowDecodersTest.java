package dev.mlapp.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.testing.TestImages;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the server does around TensorFlow's GIF and BMP kernels: giflib decodes every frame of a GIF into memory,
 * so only the first reaches it; its BMP reader ignores the compression field, so the BMPs it would misread are
 * refused by name.
 */
class TensorFlowDecodersTest {

    private final ImagePreprocessor preprocessor = new ImagePreprocessor(12, 12, Scaling.RAW, 1_000_000);

    @AfterEach
    void close() {
        preprocessor.close();
    }

    private static byte[] animatedGif(int frames, int size) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int i = 0; i < frames; i++) {
                BufferedImage frame = ImagePreprocessorTest.toPalette(TestImages.solid(size, size,
                        BufferedImage.TYPE_3BYTE_BGR, i == 0 ? Color.RED : Color.BLUE));
                writer.writeToSequence(new IIOImage(frame, null,
                        writer.getDefaultImageMetadata(new ImageTypeSpecifier(frame), null)), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    @Test
    void aGifOfManyFramesReachesTheDecoderAsItsFirstFrameAlone() throws Exception {
        byte[] gif = animatedGif(400, 12);
        GifFirstFrame first = GifFirstFrame.of(gif);
        assertTrue(first.bytes().length * 20 < gif.length, first.bytes().length + " of " + gif.length + " bytes");
        assertEquals(12, first.width());
        float[] t = preprocessor.toTensor(gif);
        for (int i = 0; i < t.length; i += 3) {
            assertEquals(255f, t[i], "red, the first frame, at " + i / 3);
            assertEquals(0f, t[i + 2]);
        }
    }

    @Test
    void aFirstFrameSmallerThanItsScreenIsThePicture() throws Exception {
        byte[] gif = animatedGif(1, 12);
        putU16le(gif, 6, 40); // a 40×30 screen, the frame at (5, 7): the frame alone is decoded, as before
        putU16le(gif, 8, 30);
        int descriptor = indexOf(gif, 0x2C);
        putU16le(gif, descriptor + 1, 5);
        putU16le(gif, descriptor + 3, 7);
        float[] t = preprocessor.toTensor(gif);
        assertEquals(12 * 12 * 3, t.length);
        assertEquals(255f, t[0]);
        assertEquals(255f, t[t.length - 3]);
    }

    @Test
    void aFirstFrameLargerThanThePixelLimitIsRefusedBeforeDecoding() throws Exception {
        byte[] gif = animatedGif(1, 12);
        int descriptor = indexOf(gif, 0x2C);
        putU16le(gif, descriptor + 5, 60000); // the screen still says 12×12
        putU16le(gif, descriptor + 7, 60000);
        ImageException e = assertThrows(ImageException.class, () -> preprocessor.toTensor(gif));
        assertEquals(ImageException.Kind.TOO_LARGE, e.kind(), e.getMessage());
    }

    @Test
    void bmpsTheKernelWouldMisreadAreRefusedByName() {
        byte[] bmp = TestImages.encode(TestImages.solid(12, 12, BufferedImage.TYPE_3BYTE_BGR, Color.RED), "bmp");
        assertRefused(patched(bmp, 28, 16), "16 bits per pixel");
        assertRefused(patched(bmp, 30, 1), "RLE compression");
        assertRefused(patched(bmp, 14, 12), "an OS/2 header");
        assertRefused(TestImages.encode(new BufferedImage(12, 12, BufferedImage.TYPE_BYTE_BINARY), "bmp"),
                "1 bits per pixel");
    }

    private void assertRefused(byte[] bmp, String what) {
        ImageException e = assertThrows(ImageException.class, () -> preprocessor.toTensor(bmp));
        assertEquals(ImageException.Kind.UNSUPPORTED_FORMAT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(what) && e.getMessage().contains("send a PNG or JPEG"), e.getMessage());
    }

    private static byte[] patched(byte[] bmp, int offset, int value) {
        byte[] copy = bmp.clone();
        copy[offset] = (byte) value;
        copy[offset + 1] = (byte) (value >>> 8);
        return copy;
    }

    private static int indexOf(byte[] gif, int block) {
        int pos = 13 + GifFirstFrame.colourTableSize(gif[10]);
        while ((gif[pos] & 0xFF) != block) {
            pos = GifFirstFrame.skipSubBlocks(gif, pos + 2);
        }
        return pos;
    }

    private static void putU16le(byte[] d, int pos, int value) {
        d[pos] = (byte) value;
        d[pos + 1] = (byte) (value >>> 8);
    }
}
