package dev.mlapp.inference;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The FIFO between request threads and batch workers. It has no capacity of its own: admission, before any work
 * is spent, bounds how many requests can be here ({@link Classifier}). {@link #offer} never blocks. The waiting
 * methods are for the {@link BatchScheduler}, which decides when enough has arrived.
 */
final class TaskQueue {

    private final ArrayDeque<Task> tasks = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean closed;

    /**
     * Queues one request's tasks at once: a worker woken by them finds them all.
     *
     * @return false at once, queueing none, when the queue is closed
     */
    boolean offer(List<Task> request) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            tasks.addAll(request);
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return tasks.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least one task is queued.
     *
     * @return false when the queue is closed and empty: the worker should stop
     */
    boolean awaitAny() throws InterruptedException {
        lock.lock();
        try {
            while (tasks.isEmpty()) {
                if (closed) {
                    return false;
                }
                changed.await();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code count} tasks are queued, the oldest queued task has waited {@code maxWaitNanos},
     * the queue empties (another worker took the tasks) or it is closed, whichever comes first.
     */
    void awaitFill(int count, long maxWaitNanos) throws InterruptedException {
        lock.lock();
        try {
            while (!closed && !tasks.isEmpty() && tasks.size() < count) {
                long waited = System.nanoTime() - tasks.peekFirst().enqueuedNanos();
                long left = maxWaitNanos - waited;
                if (left <= 0) {
                    return;
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves up to {@code max} of the oldest tasks into {@code into}; returns how many. */
    int drainTo(List<Task> into, int max) {
        lock.lock();
        try {
            int n = 0;
            while (n < max && !tasks.isEmpty()) {
                into.add(tasks.pollFirst());
                n++;
            }
            if (n > 0) {
                changed.signalAll();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new tasks from now on; waiting workers wake up and drain what is left. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
