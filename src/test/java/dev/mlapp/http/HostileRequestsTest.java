package dev.mlapp.http;

import static dev.mlapp.serve.ServeSettings.MAX_BODY_BYTES;
import static dev.mlapp.serve.ServeSettings.POD_NAME;
import static dev.mlapp.testing.RawHttp.ascii;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mlapp.serve.ServeConfig;
import dev.mlapp.serve.Serving;
import dev.mlapp.testing.HttpTestClient;
import dev.mlapp.testing.RawHttp;
import dev.mlapp.testing.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What crawlers, broken clients and curious students send to a public NodePort, over real HTTP against a real
 * server: each gets a precise 4xx with a JSON error and the pod header (or a documented answer of the JDK's own
 * HTTP parser), and afterwards the server is ready, predicts normally, and its heap is back to baseline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileRequestsTest {

    private static final String POD = "hostile-test";
    /** Small, so "a body that never ends" reaches the limit in a fraction of a second. */
    private static final long MAX_BODY = 2L * 1024 * 1024;
    /** Heap after GC may differ by this much from before the barrage (class loading, JIT, metric series). */
    private static final long HEAP_TOLERANCE = 48L * 1024 * 1024;

    private MlServer server;
    private HttpTestClient http;
    private long baselineHeap;

    @BeforeAll
    void start() {
        server = Serving.start(ServeConfig.loopback().with(POD_NAME, POD).with(MAX_BODY_BYTES, MAX_BODY));
        server.awaitStartup(Duration.ofMinutes(2));
        http = new HttpTestClient(server.port());
        // Warm every path once (a good upload, an error) so the baseline includes loaded classes and metric series.
        assertEquals(200, http.upload("/api/v1/predict", "file", TestImages.picture("png", 64, 64)).statusCode());
        assertEquals(400, http.upload("/api/v1/predict", "file", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})
                .statusCode());
        baselineHeap = heapAfterGc();
    }

    @AfterAll
    void stop() {
        server.drainAndStop();
    }

    // ---- images ----

    @Test
    void truncatedAndCorruptJpegAndPngAre400() {
        byte[] jpeg = TestImages.picture("jpg", 200, 150);
        byte[] png = TestImages.picture("png", 200, 150);
        assertError(upload(Arrays.copyOf(jpeg, jpeg.length / 2)), 400, "invalid_image");
        assertError(upload(Arrays.copyOf(png, png.length / 2)), 400, "invalid_image");
        byte[] garbled = jpeg.clone();
        for (int i = 200; i < garbled.length - 2; i += 7) {
            garbled[i] = (byte) 0xFF; // markers everywhere in the entropy-coded data
        }
        assertError(upload(garbled), 400, "invalid_image");
        byte[] badCrc = png.clone();
        badCrc[29] ^= 0x55; // IHDR's CRC
        assertError(upload(badCrc), 400, "invalid_image");
    }

    /** Issue 13: each format cut before its end is a 400 that says "truncated", whichever decoder would run. */
    @Test
    void imagesCutBeforeTheirEndAre400WithASentence() {
        for (String format : new String[] {"jpg", "png", "gif", "bmp"}) {
            byte[] full = TestImages.picture(format, 64, 64);
            for (int missing : new int[] {1, 2, 11, 12}) {
                HttpResponse<String> response = upload(Arrays.copyOf(full, full.length - missing));
                assertError(response, 400, "invalid_image");
                assertTrue(message(response).contains("image is truncated"), format + ": " + response.body());
            }
        }
    }

    /** TensorFlow's own words ({@code jpeg::Uncompress failed ... [[{{node rgb_1_1}}]]}) stay in the log. */
    @Test
    void aJpegTensorFlowCannotDecodeIsASentenceWithoutItsInternals() {
        byte[] jpeg = TestImages.picture("jpg", 200, 150);
        byte[] garbled = jpeg.clone();
        for (int i = 200; i < garbled.length - 2; i += 7) {
            garbled[i] = (byte) 0xFF; // markers everywhere in the entropy-coded data; the end marker stays
        }
        HttpResponse<String> response = upload(garbled);
        assertError(response, 400, "invalid_image");
        assertEquals("the JPEG image is corrupt: its decoder cannot read it", message(response));
    }

    private static String message(HttpResponse<String> response) {
        return JsonParser.parseString(response.body()).getAsJsonObject().get("message").getAsString();
    }

    @Test
    void emptyFileIs400AndNonImageIs415() {
        assertError(upload(new byte[0]), 400, "bad_request");
        assertError(upload(ascii("<html>not an image</html>")), 415, "unsupported_image");
        assertError(http.raw("/api/v1/predict", "image/jpeg", new byte[0]), 400, "bad_request");
    }

    @Test
    void onePixelImagesArePredicted() {
        for (String format : new String[] {"jpg", "png", "gif", "bmp"}) {
            HttpResponse<String> response = upload(TestImages.picture(format, 1, 1));
            assertEquals(200, response.statusCode(), format + ": " + response.body());
        }
    }

    @Test
    void decompressionBombsAre413BeforeDecoding() {
        assertError(upload(TestImages.pngDeclaring(100_000, 100_000)), 413, "image_too_large");
        assertError(upload(gif(65_535, 65_535, 65_535, 65_535)), 413, "image_too_large");
        // a GIF whose logical screen is tiny but whose one frame is huge
        assertError(upload(gif(10, 10, 60_000, 60_000)), 413, "image_too_large");
        assertError(upload(jpegDeclaring(65_500, 65_500)), 413, "image_too_large");
        assertError(upload(bmpDeclaring(50_000, 50_000)), 413, "image_too_large");
    }

    @Test
    void aRealPngOfFortyNineMegapixelsIn200KilobytesIs413() {
        byte[] bomb = zeroPng(7_000, 7_000);
        assertTrue(bomb.length < 400_000, "the bomb is small: " + bomb.length);
        assertError(upload(bomb), 413, "image_too_large");
    }

    @Test
    void animatedCmykSixteenBitAndPaletteImagesArePredicted() throws Exception {
        assertEquals(200, upload(animatedGif()).statusCode());
        assertEquals(200, upload(cmykJpeg()).statusCode());
        assertEquals(200, upload(TestImages.encode(convert(BufferedImage.TYPE_USHORT_GRAY), "png")).statusCode());
        assertEquals(200, upload(TestImages.encode(convert(BufferedImage.TYPE_BYTE_INDEXED), "png")).statusCode());
    }

    // ---- multipart and content types ----

    @Test
    void wrongOrMissingBoundariesAre400() {
        byte[] body = HttpTestClient.multipart("right", "file", "a.jpg", TestImages.picture("jpg", 32, 32));
        assertError(http.raw("/api/v1/predict", "multipart/form-data; boundary=wrong", body), 400, "bad_request");
        assertError(http.raw("/api/v1/predict", "multipart/form-data", body), 400, "bad_request");
        assertError(http.raw("/api/v1/predict", "multipart/form-data; boundary=", body), 400, "bad_request");
        assertError(http.raw("/api/v1/predict", "multipart/form-data; boundary=" + "x".repeat(71), body), 400,
                "bad_request");
        byte[] unterminated = Arrays.copyOf(body, body.length - 12);
        assertError(http.raw("/api/v1/predict", "multipart/form-data; boundary=right", unterminated), 400,
                "bad_request");
    }

    @Test
    void aPartWithoutNameAndAFormWithoutFileAre400() {
        String noName = "--B\r\nContent-Disposition: form-data; filename=\"a.jpg\"\r\n\r\nxyz\r\n--B--\r\n";
        assertError(http.raw("/api/v1/predict", "multipart/form-data; boundary=B", ascii(noName)), 400,
                "bad_request");
        String otherField = "--B\r\nContent-Disposition: form-data; name=\"photo\"\r\n\r\nxyz\r\n--B--\r\n";
        assertError(http.raw("/api/v1/predict", "multipart/form-data; boundary=B", ascii(otherField)), 400,
                "bad_request");
    }

    @Test
    void aHundredPartsAre400() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            body.append("--B\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nx\r\n");
        }
        body.append("--B--\r\n");
        HttpResponse<String> response = http.raw("/api/v1/predict", "multipart/form-data; boundary=B",
                ascii(body.toString()));
        assertError(response, 400, "bad_request");
        assertTrue(response.body().contains("more than " + Multipart.MAX_PARTS + " parts"), response.body());
    }

    @Test
    void hugePartHeadersAre400() {
        String body = "--B\r\nContent-Disposition: form-data; name=\"file\"\r\nX-Pad: " + "a".repeat(20_000)
                + "\r\n\r\nxyz\r\n--B--\r\n";
        assertError(http.raw("/api/v1/predict", "multipart/form-data; boundary=B", ascii(body)), 400,
                "bad_request");
    }

    @Test
    void pathLikeAndNonUtf8FileNamesAreOnlyEverIgnored() {
        byte[] jpeg = TestImages.picture("jpg", 32, 32);
        for (String name : new String[] {"../../../../etc/passwd", "..\\..\\boot.ini", "/dev/zero", "a\0b.jpg",
                "%2e%2e%2fx"}) {
            HttpResponse<String> response = http.raw("/api/v1/predict", "multipart/form-data; boundary=B",
                    HttpTestClient.multipart("B", "file", name, jpeg));
            assertEquals(200, response.statusCode(), name + ": " + response.body());
            assertFalse(response.body().contains(name), "the file name is never echoed");
        }
        ByteArrayOutputStream latin1 = new ByteArrayOutputStream();
        latin1.writeBytes(ascii("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\""));
        latin1.writeBytes(new byte[] {(byte) 0xE9, (byte) 0xFF, (byte) 0xFE, (byte) 0xC3});
        latin1.writeBytes(ascii("\"\r\n\r\n"));
        latin1.writeBytes(jpeg);
        latin1.writeBytes(ascii("\r\n--B--\r\n"));
        assertEquals(200, http.raw("/api/v1/predict", "multipart/form-data; boundary=B", latin1.toByteArray())
                .statusCode());
    }

    @Test
    void missingOrWrongContentTypeIs415() {
        RawHttp.Response none = RawHttp.exchange(server.port(), ascii("POST /api/v1/predict HTTP/1.1\r\n"
                + "Host: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"));
        assertRawError(none, 415, "unsupported_media_type");
        assertError(http.raw("/api/v1/predict", "text/plain", ascii("hello")), 415, "unsupported_media_type");
        assertError(http.raw("/api/v1/predict", "application/x-www-form-urlencoded", ascii("file=x")), 415,
                "unsupported_media_type");
    }

    // ---- framing and methods ----

    @Test
    void aBodyOverTheLimitIs413AndTheConnectionCloses() {
        byte[] big = new byte[(int) MAX_BODY + 1];
        big[0] = (byte) 0xFF;
        assertError(http.raw("/api/v1/predict", "image/jpeg", big), 413, "payload_too_large");
    }

    @Test
    void aChunkedBodyThatNeverEndsIsCutOffAtTheBodyLimit() {
        try (RawHttp raw = new RawHttp(server.port(), Duration.ofSeconds(30))) {
            raw.send(ascii("POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"));
            byte[] chunk = new byte[64 * 1024];
            byte[] chunkHead = ascii(Integer.toHexString(chunk.length) + "\r\n");
            long sent = 0;
            // Keep sending, as a client that never stops would; the server answers once past its limit.
            while (sent < 4 * MAX_BODY && raw.trySend(chunkHead) && raw.trySend(chunk) && raw.trySend(ascii("\r\n"))) {
                sent += chunk.length;
            }
            RawHttp.Response response = raw.read();
            assertRawError(response, 413, "payload_too_large");
            assertEquals("close", response.header("Connection"));
        }
    }

    @Test
    void hugeRequestHeadersAreRefusedByTheHttpParser() {
        String huge = "GET /readyz HTTP/1.1\r\nHost: x\r\nX-Junk: " + "a".repeat(100 * 1024)
                + "\r\nConnection: close\r\n\r\n";
        RawHttp.Response response = RawHttp.exchange(server.port(), ascii(huge));
        // The JDK answers 431 itself (no JSON, no pod header: no handler ran) or just closes.
        assertTrue(response.status() == 431 || response.status() == -1, response.head());
        StringBuilder many = new StringBuilder("GET /readyz HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 500; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        RawHttp.Response tooMany = RawHttp.exchange(server.port(), ascii(many + "Connection: close\r\n\r\n"));
        assertTrue(tooMany.status() == 431 || tooMany.status() == -1, tooMany.head());
    }

    @Test
    void garbageRequestLinesAreRefusedWithoutTouchingHandlers() {
        RawHttp.Response response = RawHttp.exchange(server.port(), ascii("\u0016\u0003\u0001\u0002\u0000\u0001"
                + "\u0000\u01fc\u0003\u0003 not http at all\r\n\r\n"));
        // Not a path: the JDK finds no context and answers 404 itself (or 400, or hangs up); no handler runs.
        assertTrue(response.status() == 404 || response.status() == 400 || response.status() == -1,
                response.head());
        RawHttp.Response badLength = RawHttp.exchange(server.port(), ascii("POST /predict HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: banana\r\nConnection: close\r\n\r\n"));
        assertEquals(400, badLength.status(), badLength.head());
    }

    @Test
    void wrongMethodsAre405WithAllow() {
        HttpResponse<String> get = http.get("/predict");
        assertError(get, 405, "method_not_allowed");
        assertEquals("POST", get.headers().firstValue("Allow").orElseThrow());
        assertError(http.method("PUT", "/api/v1/predict"), 405, "method_not_allowed");
        assertError(http.method("DELETE", "/readyz"), 405, "method_not_allowed");
        assertError(http.method("PATCH", "/test"), 405, "method_not_allowed");
        assertRawError(RawHttp.exchange(server.port(), ascii("BREW /predict HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close\r\n\r\n")), 405, "method_not_allowed");
        assertError(http.get("/../../etc/passwd"), 404, "not_found");
    }

    // ---- afterwards ----

    @Test
    @Order(Integer.MAX_VALUE)
    void afterwardsTheServerIsReadyPredictsAndItsHeapIsBackToBaseline() {
        assertEquals(200, http.get("/readyz").statusCode());
        HttpResponse<String> prediction = upload(TestImages.picture("jpg", 320, 240));
        assertEquals(200, prediction.statusCode(), prediction.body());
        // The client has its answer a moment before the server's filter counts the exchange as finished, and a
        // slow-body test's exchange may still be timing out: wait for the count, do not sample it once.
        assertEquals(0, inFlightAfterSettling(Duration.ofSeconds(10)), "requests left in flight");
        long after = heapAfterGc();
        assertTrue(after - baselineHeap < HEAP_TOLERANCE, "heap after GC grew from " + mb(baselineHeap) + " to "
                + mb(after) + " MiB");
    }

    // ---- helpers ----

    /** The figure the wait stopped on: a scrape right after another may still count that one's handler. */
    private int inFlightAfterSettling(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        int inFlight;
        while ((inFlight = http.inFlightRequests()) > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return inFlight;
    }

    private HttpResponse<String> upload(byte[] file) {
        return http.upload("/api/v1/predict", "file", file);
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
        assertEquals(code, body.get("error").getAsString(), response.body());
        assertTrue(body.get("message").getAsString().length() > 10, "a sentence for people: " + response.body());
        assertEquals(POD, response.headers().firstValue("X-Pod-Name").orElse(null));
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    }

    private static void assertRawError(RawHttp.Response response, int status, String code) {
        assertEquals(status, response.status(), response.head());
        assertEquals(code, JsonParser.parseString(response.body()).getAsJsonObject().get("error").getAsString());
        assertEquals(POD, response.header("X-Pod-Name"));
    }

    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long mb(long bytes) {
        return bytes / (1024 * 1024);
    }

    private static BufferedImage convert(int type) {
        BufferedImage rgb = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                rgb.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 128);
            }
        }
        BufferedImage out = new BufferedImage(40, 30, type);
        out.createGraphics().drawImage(rgb, 0, 0, null);
        return out;
    }

    /** A GIF whose logical screen and single frame declare these sizes, with two pixels of data. */
    static byte[] gif(int screenWidth, int screenHeight, int frameWidth, int frameHeight) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("GIF89a")).putShort((short) screenWidth).putShort((short) screenHeight)
                .put((byte) 0x80).put((byte) 0).put((byte) 0);
        b.put(new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        b.put((byte) 0x2C).putShort((short) 0).putShort((short) 0).putShort((short) frameWidth)
                .putShort((short) frameHeight).put((byte) 0);
        b.put((byte) 2).put((byte) 2).put((byte) 0x4C).put((byte) 0x01).put((byte) 0).put((byte) 0x3B);
        return Arrays.copyOf(b.array(), b.position());
    }

    static byte[] jpegDeclaring(int width, int height) {
        byte[] jpeg = TestImages.picture("jpg", 16, 16);
        for (int i = 2; i + 9 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && ((jpeg[i + 1] & 0xFF) == 0xC0 || (jpeg[i + 1] & 0xFF) == 0xC2)) {
                jpeg[i + 5] = (byte) (height >> 8);
                jpeg[i + 6] = (byte) height;
                jpeg[i + 7] = (byte) (width >> 8);
                jpeg[i + 8] = (byte) width;
                return jpeg;
            }
        }
        throw new IllegalStateException("no SOF in the JPEG");
    }

    static byte[] bmpDeclaring(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(54).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(54).putInt(0).putInt(54);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 24).putInt(0).putInt(0)
                .putInt(2835).putInt(2835).putInt(0).putInt(0);
        return b.array();
    }

    /** A genuine PNG of {@code width × height} black grey pixels: deflated zeros, a real decompression bomb. */
    static byte[] zeroPng(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        Deflater deflater = new Deflater(9);
        byte[] row = new byte[width + 1];
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int y = 0; y < height; y++) {
            deflater.setInput(row);
            int n;
            while ((n = deflater.deflate(buffer, 0, buffer.length, Deflater.NO_FLUSH)) > 0) {
                idat.write(buffer, 0, n);
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        out.writeBytes(chunk("IHDR", ihdr.array()));
        out.writeBytes(chunk("IDAT", idat.toByteArray()));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    private static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        byte[] typeBytes = ascii(type);
        b.putInt(data.length).put(typeBytes).put(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(typeBytes);
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Three frames, written with ImageIO's GIF writer in a sequence. */
    static byte[] animatedGif() throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int frame = 0; frame < 3; frame++) {
                BufferedImage image = new BufferedImage(48, 32, BufferedImage.TYPE_BYTE_INDEXED);
                image.createGraphics().fillRect(frame * 10, 0, 10, 32);
                IIOMetadata metadata = writer.getDefaultImageMetadata(
                        ImageTypeSpecifier.createFromRenderedImage(image), null);
                IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree("javax_imageio_gif_image_1.0");
                IIOMetadataNode control = new IIOMetadataNode("GraphicControlExtension");
                control.setAttribute("disposalMethod", "none");
                control.setAttribute("userInputFlag", "FALSE");
                control.setAttribute("transparentColorFlag", "FALSE");
                control.setAttribute("delayTime", "10");
                control.setAttribute("transparentColorIndex", "0");
                root.appendChild(control);
                metadata.setFromTree("javax_imageio_gif_image_1.0", root);
                writer.writeToSequence(new IIOImage(image, null, metadata), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** A 4-component (CMYK, Adobe transform 0) JPEG. */
    static byte[] cmykJpeg() throws Exception {
        java.awt.image.WritableRaster raster = java.awt.image.Raster.createInterleavedRaster(
                java.awt.image.DataBuffer.TYPE_BYTE, 40, 30, 4, null);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                raster.setPixel(x, y, new int[] {x * 6, y * 8, 40, 10});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
