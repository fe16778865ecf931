package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's batching policy with a puppet in place of the model, as TensorFlow Serving's scheduler tests
 * drive theirs with a fake batch processor: the puppet records every batch it is handed and holds it until the
 * test lets go, so which tasks form a batch is seen directly, without TensorFlow.
 */
class BatchSchedulerTest {

    private static final long FAR = TimeUnit.MINUTES.toNanos(5);
    /** Long enough that a worker that waited it out would hang the test: the policy must not wait here. */
    private static final long TEN_MINUTES_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final TaskQueue queue = new TaskQueue();
    private final Puppet puppet = new Puppet();
    private BatchScheduler scheduler;

    @AfterEach
    void stop() {
        puppet.letGo();
        queue.close();
        if (scheduler != null) {
            scheduler.close();
        }
    }

    @Test
    void anIdleWorkerRunsALoneTaskAtOnceWhateverTheTimeout() throws Exception {
        scheduler = new BatchScheduler(queue, puppet, 1, 8, TEN_MINUTES_MICROS);
        Task task = submit(1);
        assertEquals(1, puppet.nextBatch().size());
        assertEquals(1, task.result().get(60, TimeUnit.SECONDS).batchSize());
    }

    @Test
    void tasksQueuedBehindARunningBatchFormTheNextOneCutAtTheMaximum() throws Exception {
        scheduler = new BatchScheduler(queue, puppet, 1, 4, 0);
        puppet.hold();
        submit(0);
        assertEquals(1, puppet.nextBatch().size());
        for (int i = 1; i <= 6; i++) {
            submit(i);
        }
        puppet.letGo();
        assertEquals(List.of(1f, 2f, 3f, 4f), ids(puppet.nextBatch()), "the four oldest, in order");
        assertEquals(List.of(5f, 6f), ids(puppet.nextBatch()));
    }

    /**
     * After a batch of three, concurrent clients are taken to send about three again: a worker with a lone task
     * waits for the other two (or the timeout) rather than running a batch of one.
     */
    @Test
    void afterABusyBatchAWorkerWaitsUntilAsManyTasksAreQueued() throws Exception {
        scheduler = new BatchScheduler(queue, puppet, 1, 8, TEN_MINUTES_MICROS);
        puppet.hold();
        submit(0);
        puppet.nextBatch();
        submit(1);
        submit(2);
        submit(3);
        puppet.letGo();
        assertEquals(3, puppet.nextBatch().size());

        submit(4);
        assertNull(puppet.batches.poll(300, TimeUnit.MILLISECONDS), "one task of an expected three does not run");
        submit(5);
        submit(6);
        assertEquals(List.of(4f, 5f, 6f), ids(puppet.nextBatch()), "the third task completes the batch");
    }

    @Test
    void aPartialBatchRunsOnceItsOldestTaskHasWaitedTheTimeout() throws Exception {
        scheduler = new BatchScheduler(queue, puppet, 1, 8, TimeUnit.MILLISECONDS.toMicros(50));
        puppet.hold();
        submit(0);
        puppet.nextBatch();
        submit(1);
        submit(2);
        puppet.letGo();
        assertEquals(2, puppet.nextBatch().size());

        submit(3);
        assertEquals(List.of(3f), ids(puppet.nextBatch()), "alone, after the 50 ms timeout");
    }

    @Test
    void aProcessorThatThrowsFailsItsBatchAndTheWorkerCarriesOn() throws Exception {
        IllegalStateException bug = new IllegalStateException("a processor bug");
        puppet.failNextWith(bug);
        scheduler = new BatchScheduler(queue, puppet, 1, 8, 0);
        Task failed = submit(0);
        ExecutionException e = assertThrows(ExecutionException.class, () -> failed.result().get(60, TimeUnit.SECONDS));
        assertSame(bug, e.getCause());

        Task next = submit(1);
        assertEquals(1, next.result().get(60, TimeUnit.SECONDS).batchSize(), "the worker is still running");
    }

    @Test
    void closingTheQueueLetsTheWorkersFinishWhatIsQueued() throws Exception {
        scheduler = new BatchScheduler(queue, puppet, 2, 2, 0);
        puppet.hold();
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            tasks.add(submit(i));
        }
        queue.close();
        puppet.letGo();
        scheduler.close();
        for (Task task : tasks) {
            assertEquals(task.input()[0], task.result().getNow(null).output()[0], "answered before close returned");
        }
    }

    @Test
    void refusesSettingsThatCannotFormABatch() {
        assertThrows(IllegalArgumentException.class, () -> new BatchScheduler(queue, puppet, 0, 8, 0));
        assertThrows(IllegalArgumentException.class, () -> new BatchScheduler(queue, puppet, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BatchScheduler(queue, puppet, 1, 8, -1));
    }

    private Task submit(float id) {
        Task task = new Task(new float[] {id}, System.nanoTime() + FAR, System.nanoTime(), new CompletableFuture<>());
        if (!queue.offer(List.of(task))) {
            throw new IllegalStateException("queue closed");
        }
        return task;
    }

    private static List<Float> ids(List<Task> batch) {
        return batch.stream().map(t -> t.input()[0]).toList();
    }

    /** Records each batch, holds it while {@link #hold()} is in force, then answers every task with its input. */
    private static final class Puppet implements BatchProcessor {

        final BlockingQueue<List<Task>> batches = new LinkedBlockingQueue<>();
        private volatile Semaphore gate;
        private volatile RuntimeException failure;

        void hold() {
            gate = new Semaphore(0);
        }

        void letGo() {
            Semaphore g = gate;
            gate = null;
            if (g != null) {
                g.release(Integer.MAX_VALUE / 2);
            }
        }

        void failNextWith(RuntimeException e) {
            failure = e;
        }

        List<Task> nextBatch() throws InterruptedException {
            List<Task> batch = batches.poll(60, TimeUnit.SECONDS);
            if (batch == null) {
                throw new AssertionError("no batch was formed within 60 s");
            }
            return batch;
        }

        @Override
        public void process(List<Task> batch) {
            batches.add(List.copyOf(batch)); // the scheduler reuses its list for the next batch
            Semaphore g = gate;
            if (g != null) {
                g.acquireUninterruptibly();
            }
            RuntimeException e = failure;
            if (e != null) {
                failure = null;
                throw e;
            }
            for (Task task : batch) {
                task.result().complete(new Inference(task.input(), 0, 0, batch.size()));
            }
        }
    }
}
