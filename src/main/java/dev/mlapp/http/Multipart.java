package dev.mlapp.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A multipart/form-data body (RFC 7578) parsed from memory. Only what an upload form sends is supported:
 * parts with {@code Content-Disposition: form-data; name=...} and optional {@code Content-Type}.
 */
final class Multipart {

    /** Bounds that keep a hostile body from costing more than its bytes. */
    static final int MAX_PARTS = 16;
    static final int MAX_PART_HEADER_BYTES = 8 * 1024;
    private static final byte[] HEADERS_END = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    record Part(String name, String fileName, String contentType, byte[] body) {
    }

    private Multipart() {
    }

    /** Extracts the {@code boundary} parameter of a multipart Content-Type, unquoted. */
    static String boundary(String contentType) {
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String value = p.substring("boundary=".length()).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                if (value.isEmpty() || value.length() > 70) {
                    throw ApiError.badRequest("multipart boundary must be 1 to 70 characters");
                }
                return value;
            }
        }
        throw ApiError.badRequest("multipart/form-data request without a boundary parameter");
    }

    static List<Part> parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(body, delimiter, 0);
        if (pos < 0) {
            throw ApiError.badRequest("multipart body does not contain its boundary");
        }
        List<Part> parts = new ArrayList<>();
        byte[] nextDelimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        while (true) {
            pos += delimiter.length;
            if (startsWith(body, pos, "--")) {
                return parts;
            }
            pos = skipLineEnd(body, pos);
            int headerEnd = indexOf(body, HEADERS_END, pos);
            if (headerEnd < 0 || headerEnd - pos > MAX_PART_HEADER_BYTES) {
                throw ApiError.badRequest("multipart part headers are missing, unterminated or too long");
            }
            String headers = new String(body, pos, headerEnd - pos, StandardCharsets.UTF_8);
            int contentStart = headerEnd + 4;
            int contentEnd = indexOf(body, nextDelimiter, contentStart);
            if (contentEnd < 0) {
                throw ApiError.badRequest("multipart body is truncated: closing boundary not found");
            }
            if (parts.size() == MAX_PARTS) {
                throw ApiError.badRequest("multipart body has more than " + MAX_PARTS + " parts");
            }
            parts.add(part(headers, Arrays.copyOfRange(body, contentStart, contentEnd)));
            pos = contentEnd + 2;
        }
    }

    static Optional<Part> find(List<Part> parts, String name) {
        return parts.stream().filter(p -> name.equals(p.name())).findFirst();
    }

    private static Part part(String headers, byte[] content) {
        String name = null;
        String fileName = null;
        String contentType = null;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (key.equals("content-disposition")) {
                name = parameter(value, "name");
                fileName = parameter(value, "filename");
            } else if (key.equals("content-type")) {
                contentType = value;
            }
        }
        if (name == null) {
            throw ApiError.badRequest("a multipart part has no Content-Disposition name");
        }
        return new Part(name, fileName, contentType, content);
    }

    /** Reads {@code key="value"} or {@code key=value} from a header value; file names are only ever displayed. */
    private static String parameter(String headerValue, String key) {
        for (String param : headerValue.split(";")) {
            String p = param.strip();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase(key)) {
                String value = p.substring(eq + 1).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value;
            }
        }
        return null;
    }

    private static int skipLineEnd(byte[] body, int pos) {
        while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
            pos++;
        }
        if (startsWith(body, pos, "\r\n")) {
            return pos + 2;
        }
        throw ApiError.badRequest("malformed multipart boundary line");
    }

    private static boolean startsWith(byte[] body, int pos, String ascii) {
        if (pos + ascii.length() > body.length) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (body[pos + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * First index of {@code needle} in {@code haystack} from {@code from}, or −1, by Boyer–Moore–Horspool: the
     * boundary is searched across the whole upload (tens of kilobytes), and skipping ahead by up to the boundary's
     * length per step makes that ~40× fewer comparisons than trying every position, which JFR showed costing more
     * than the rest of the request's HTTP handling together (BENCHMARKS.md, "Second round").
     */
    static int indexOf(byte[] haystack, byte[] needle, int from) {
        int n = needle.length;
        int start = Math.max(from, 0);
        if (n == 0) {
            return start <= haystack.length ? start : -1;
        }
        int[] skip = new int[256];
        Arrays.fill(skip, n);
        for (int j = 0; j < n - 1; j++) {
            skip[needle[j] & 0xFF] = n - 1 - j;
        }
        byte tail = needle[n - 1];
        for (int i = start; i <= haystack.length - n; ) {
            byte b = haystack[i + n - 1];
            if (b == tail && Arrays.equals(haystack, i, i + n - 1, needle, 0, n - 1)) {
                return i;
            }
            i += skip[b & 0xFF];
        }
        return -1;
    }
}
