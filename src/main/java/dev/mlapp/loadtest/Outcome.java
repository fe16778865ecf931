package dev.mlapp.loadtest;

/** How one request ended. */
public enum Outcome {
    /** A 2xx response. */
    OK,
    /** A response with any other status code. */
    STATUS,
    /** Connected, but no complete response within the timeout. */
    TIMEOUT,
    /** No TCP connection, or it broke before a complete response (refused, reset, closed early). */
    CONNECTION
}
