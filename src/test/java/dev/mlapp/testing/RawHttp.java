package dev.mlapp.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for requests java.net.http will not send: malformed framing, huge headers,
 * bodies that never end, bytes dribbled one at a time. Every read has a timeout, so a test cannot hang.
 */
public final class RawHttp implements AutoCloseable {

    /** A response as read off the wire; {@code status} is -1 when the server closed without answering. */
    public record Response(int status, String head, String body) {
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public RawHttp(int port, Duration readTimeout) {
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) readTimeout.toMillis());
            out = socket.getOutputStream();
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one request (with {@code Connection: close} added by the caller as needed) and reads the reply. */
    public static Response exchange(int port, byte[] request) {
        try (RawHttp http = new RawHttp(port, Duration.ofSeconds(30))) {
            http.send(request);
            return http.read();
        }
    }

    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    public void send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes, reporting a reset or closed connection as false instead of throwing. */
    public boolean trySend(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads one response: head, then a Content-Length body or everything up to the close. */
    public Response read() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            int headEnd = -1;
            byte[] buffer = new byte[8192];
            while (headEnd < 0) {
                int n = in.read(buffer);
                if (n < 0) {
                    return bytes.size() == 0 ? new Response(-1, "", "") : parse(bytes.toByteArray(), bytes.size());
                }
                bytes.write(buffer, 0, n);
                headEnd = indexOf(bytes.toByteArray(), ascii("\r\n\r\n"));
            }
            String head = new String(bytes.toByteArray(), 0, headEnd, StandardCharsets.ISO_8859_1);
            long length = contentLength(head);
            while (length >= 0 ? bytes.size() < headEnd + 4 + length : true) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                bytes.write(buffer, 0, n);
            }
            return parse(bytes.toByteArray(), headEnd);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no complete response within the read timeout; got: " + bytes, e);
        } catch (IOException e) {
            // reset by the server: whatever arrived is the answer
            return bytes.size() == 0 ? new Response(-1, "", "") : parse(bytes.toByteArray(),
                    Math.max(0, indexOf(bytes.toByteArray(), ascii("\r\n\r\n"))));
        }
    }

    /** True when the server has closed the connection (EOF or reset) within the read timeout. */
    public boolean closedByServer() {
        try {
            byte[] buffer = new byte[8192];
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static Response parse(byte[] bytes, int headEnd) {
        String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1);
        String body = bytes.length > headEnd + 4
                ? new String(bytes, headEnd + 4, bytes.length - headEnd - 4, StandardCharsets.UTF_8) : "";
        String[] statusLine = head.split("\r\n", 2)[0].split(" ");
        int status = statusLine.length > 1 && statusLine[0].startsWith("HTTP/") ? Integer.parseInt(statusLine[1]) : -1;
        return new Response(status, head, body);
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        return -1;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
