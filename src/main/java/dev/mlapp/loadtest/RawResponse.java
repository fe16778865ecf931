package dev.mlapp.loadtest;

/**
 * What the load test keeps of one HTTP response.
 *
 * @param status          HTTP status code
 * @param podName         the {@code X-Pod-Name} header, or null when absent
 * @param bodyBytes       length of the body read
 * @param connectionClose the server will close the connection after this response
 */
record RawResponse(int status, String podName, long bodyBytes, boolean connectionClose) {
}
