package dev.mlapp.loadtest;

/**
 * One request of a load test; times are nanoseconds since the test started.
 *
 * @param index        sequence number of the request
 * @param intendedNanos when the request should have been sent: the schedule in open loop, the send time in closed loop
 * @param sentNanos    when it was actually sent
 * @param doneNanos    when the response (or the failure) arrived
 * @param outcome      how it ended
 * @param status       HTTP status, 0 without a response
 * @param podName      the {@code X-Pod-Name} of the replica that answered, null without one
 * @param newConnection whether a new TCP connection was opened for this request
 * @param error        what went wrong, null on a response
 */
public record Sample(long index, long intendedNanos, long sentNanos, long doneNanos, Outcome outcome, int status,
                     String podName, boolean newConnection, String error) {

    /** Latency as the user sees it: from the intended send time, so time spent queued behind a stall counts. */
    public long latencyNanos() {
        return doneNanos - intendedNanos;
    }
}
