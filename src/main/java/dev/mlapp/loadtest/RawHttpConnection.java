package dev.mlapp.loadtest;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One TCP connection speaking plain HTTP/1.1, written for the load test rather than taken from
 * {@code java.net.http}: that client pools connections behind our back, and the whole point of the test is
 * to control when a new TCP connection — and so a new choice by an L4 balancer — is made.
 * Every read is bounded by the request's deadline.
 */
final class RawHttpConnection implements AutoCloseable {

    private static final int BUFFER_SIZE = 16 * 1024;
    private static final int MAX_LINE = 16 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int position;
    private int limit;
    private long deadlineNanos;
    private long bytesReadThisExchange;
    private int exchanges;

    private RawHttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects; a refused or timed-out connect is a {@link ConnectFailedException}. */
    static RawHttpConnection open(String host, int port, long timeoutMillis) throws ConnectFailedException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeoutMillis));
            return new RawHttpConnection(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new ConnectFailedException(e);
        }
    }

    /** Requests already completed on this connection; 0 means it is fresh. */
    int exchanges() {
        return exchanges;
    }

    /** Bytes of the current response received so far; 0 after a failure means the server never answered. */
    long bytesReadThisExchange() {
        return bytesReadThisExchange;
    }

    /** Sends the request and reads the whole response; throws {@link SocketTimeoutException} past the deadline. */
    RawResponse exchange(byte[] request, long deadlineNanos) throws IOException {
        this.deadlineNanos = deadlineNanos;
        this.bytesReadThisExchange = 0;
        out.write(request);
        out.flush();
        String statusLine = readLine();
        if (statusLine == null) {
            throw new EOFException("connection closed before a response");
        }
        String[] statusParts = statusLine.split(" ", 3);
        if (statusParts.length < 2 || !statusParts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(statusParts[1]);
        boolean http10 = statusParts[0].equals("HTTP/1.0");
        long contentLength = -1;
        boolean chunked = false;
        boolean close = http10;
        String pod = null;
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close")
                        || (http10 && !value.equalsIgnoreCase("keep-alive"));
                case "x-pod-name" -> pod = value;
                default -> { }
            }
        }
        long body;
        if (chunked) {
            body = readChunked();
        } else if (contentLength >= 0) {
            skipExactly(contentLength);
            body = contentLength;
        } else if (status == 204 || status == 304) {
            body = 0;
        } else {
            body = skipToEnd();
            close = true;
        }
        exchanges++;
        return new RawResponse(status, pod, body, close);
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private long readChunked() throws IOException {
        long total = 0;
        while (true) {
            String sizeLine = readLine();
            if (sizeLine == null) {
                throw new EOFException("connection closed inside a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                for (String trailer = readLine(); trailer != null && !trailer.isEmpty(); trailer = readLine()) {
                    // trailers carry nothing the load test needs
                }
                return total;
            }
            skipExactly(size);
            total += size;
            readLine();
        }
    }

    private void skipExactly(long count) throws IOException {
        long remaining = count;
        while (remaining > 0) {
            if (position == limit && !fill()) {
                throw new EOFException("connection closed with " + remaining + " body bytes missing");
            }
            int step = (int) Math.min(remaining, limit - position);
            position += step;
            remaining -= step;
        }
    }

    private long skipToEnd() throws IOException {
        long total = 0;
        while (position < limit || fill()) {
            total += limit - position;
            position = limit;
        }
        return total;
    }

    /** A CRLF- or LF-terminated line in ISO-8859-1, or null at end of stream before any byte. */
    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (position == limit && !fill()) {
                return line.isEmpty() ? null : line.toString();
            }
            byte b = buffer[position++];
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("response line longer than " + MAX_LINE + " bytes");
            }
            line.append((char) (b & 0xff));
        }
    }

    private boolean fill() throws IOException {
        long remainingMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (remainingMillis <= 0) {
            throw new SocketTimeoutException("no complete response within the timeout");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
        int read = in.read(buffer, 0, buffer.length);
        if (read < 0) {
            return false;
        }
        position = 0;
        limit = read;
        bytesReadThisExchange += read;
        return true;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** The TCP connection could not be made: refused, unreachable, or the connect timed out. */
    static final class ConnectFailedException extends IOException {
        ConnectFailedException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
