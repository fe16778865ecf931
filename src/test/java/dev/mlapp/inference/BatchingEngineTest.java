package dev.mlapp.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mlapp.model.InferenceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchingEngineTest {

    private static final long FAR = TimeUnit.MINUTES.toNanos(5);

    private final EchoModel model = new EchoModel();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        model.release();
        for (AutoCloseable c : toClose) {
            c.close();
        }
        model.close();
    }

    /** @param workers 1 or 2: {@link EngineOptions#forCores} gives as many workers as cores up to two */
    private InferenceEngine engine(int workers, int maxBatch, long timeoutMicros) {
        EngineOptions options = EngineOptions.forCores(workers).withBatching(maxBatch, timeoutMicros)
                .withQueue(EngineOptions.DEFAULT_QUEUE_CAPACITY, Duration.ofMinutes(5));
        InferenceEngine engine = options.createEngine(model);
        toClose.add(engine);
        return engine;
    }

    private static CompletableFuture<Inference> submit(InferenceEngine engine, float[] item, long deadlineNanos) {
        return engine.submit(List.of(item), deadlineNanos).getFirst();
    }

    private static Inference await(CompletableFuture<Inference> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    @Test
    void everyConcurrentCallerGetsItsOwnResult() throws Exception {
        InferenceEngine engine = engine(2, 8, 500);
        int threads = 16;
        int perThread = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        float id = thread * 1000 + i;
                        Inference result = await(submit(engine, EchoModel.item(id), System.nanoTime() + FAR));
                        assertArrayEquals(EchoModel.item(id), result.output(), "caller " + id + " got another's row");
                    }
                    return perThread;
                }));
            }
            int total = 0;
            for (Future<Integer> f : done) {
                total += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(threads * perThread, total);
            assertEquals(threads * perThread, model.itemsRun());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void requestsQueuedBehindARunningBatchShareTheNextRun() throws Exception {
        InferenceEngine engine = engine(1, 8, 0);
        model.hold();
        CompletableFuture<Inference> first = submit(engine, EchoModel.item(0), System.nanoTime() + FAR);
        model.awaitHeldRun();
        List<CompletableFuture<Inference>> queued = new ArrayList<>();
        for (int i = 1; i <= 11; i++) {
            queued.add(submit(engine, EchoModel.item(i), System.nanoTime() + FAR));
        }
        assertEquals(11, engine.queueDepth());
        model.release();

        assertEquals(1, await(first).batchSize(), "an idle server runs a lone request at once");
        int[] sizes = new int[queued.size()];
        for (int i = 0; i < queued.size(); i++) {
            Inference result = await(queued.get(i));
            assertArrayEquals(EchoModel.item(i + 1), result.output());
            sizes[i] = result.batchSize();
        }
        assertArrayEquals(new int[] {8, 8, 8, 8, 8, 8, 8, 8, 3, 3, 3}, sizes, "queued work is cut at maxBatchSize");
        assertEquals(8, model.maxBatchSeen());
    }

    /** Submitted one by one, a woken worker could take the first item alone before the others were queued. */
    @Test
    void aRequestsItemsAreQueuedTogetherAndShareOneRun() throws Exception {
        InferenceEngine engine = engine(2, 8, 0);
        List<float[]> items = List.of(EchoModel.item(1), EchoModel.item(2), EchoModel.item(3), EchoModel.item(4),
                EchoModel.item(5));
        List<CompletableFuture<Inference>> answers = engine.submit(items, System.nanoTime() + FAR);
        for (int i = 0; i < items.size(); i++) {
            Inference result = await(answers.get(i));
            assertArrayEquals(items.get(i), result.output());
            assertEquals(5, result.batchSize(), "item " + i + " ran in a batch of " + result.batchSize());
        }
        assertEquals(5, model.maxBatchSeen());
    }

    @Test
    void loneRequestDoesNotWaitForTheBatchTimeout() throws Exception {
        InferenceEngine engine = engine(1, 32, TimeUnit.MINUTES.toMicros(10));
        // With a ten-minute timeout, anything but "idle server runs at once" would hang here.
        Inference result = await(submit(engine, EchoModel.item(7), System.nanoTime() + FAR));
        assertArrayEquals(EchoModel.item(7), result.output());
        assertEquals(1, result.batchSize());
    }

    @Test
    void expiredItemsAreDroppedBeforeTheModel() throws Exception {
        InferenceEngine engine = engine(1, 8, 0);
        model.hold();
        CompletableFuture<Inference> running = submit(engine, EchoModel.item(0), System.nanoTime() + FAR);
        model.awaitHeldRun();
        CompletableFuture<Inference> expiring = submit(engine, EchoModel.item(1), System.nanoTime() + 1_000_000);
        CompletableFuture<Inference> patient = submit(engine, EchoModel.item(2), System.nanoTime() + FAR);
        Thread.sleep(20); // past the 1 ms deadline while the worker is busy
        model.release();

        ExecutionException e = assertThrows(ExecutionException.class, () -> await(expiring));
        assertInstanceOf(DeadlineExceededException.class, e.getCause());
        assertArrayEquals(EchoModel.item(0), await(running).output());
        Inference kept = await(patient);
        assertArrayEquals(EchoModel.item(2), kept.output());
        assertEquals(1, kept.batchSize(), "the expired item was not part of the run");
        assertEquals(2, model.itemsRun());
    }

    @Test
    void modelFailureFailsEveryItemOfTheBatchAndTheEngineCarriesOn() throws Exception {
        InferenceEngine engine = engine(1, 8, 0);
        model.hold();
        CompletableFuture<Inference> running = submit(engine, EchoModel.item(0), System.nanoTime() + FAR);
        model.awaitHeldRun();
        CompletableFuture<Inference> good = submit(engine, EchoModel.item(1), System.nanoTime() + FAR);
        CompletableFuture<Inference> poison = submit(engine, EchoModel.item(-5), System.nanoTime() + FAR);
        model.release();

        await(running);
        ExecutionException goodFailure = assertThrows(ExecutionException.class, () -> await(good));
        ExecutionException poisonFailure = assertThrows(ExecutionException.class, () -> await(poison));
        assertInstanceOf(InferenceException.class, goodFailure.getCause());
        assertTrue(goodFailure.getCause().getMessage().contains("negative input"), goodFailure.getCause().getMessage());
        assertEquals(goodFailure.getCause(), poisonFailure.getCause(), "the batch fails with one exception");

        Inference after = await(submit(engine, EchoModel.item(3), System.nanoTime() + FAR));
        assertArrayEquals(EchoModel.item(3), after.output());
    }

    @Test
    void wrongSizedInputIsRefusedBeforeItCanSpoilABatch() {
        InferenceEngine engine = engine(1, 8, 0);
        assertThrows(IllegalArgumentException.class, () -> submit(engine, new float[3], System.nanoTime() + FAR));
        assertThrows(IllegalArgumentException.class,
                () -> engine.submit(List.of(EchoModel.item(1), new float[3]), System.nanoTime() + FAR));
        assertEquals(0, engine.queueDepth(), "a request with a malformed item queues none of its items");
    }

    @Test
    void closeFinishesQueuedWorkThenRefuses() throws Exception {
        InferenceEngine engine = engine(1, 2, 0);
        model.hold();
        CompletableFuture<Inference> running = submit(engine, EchoModel.item(0), System.nanoTime() + FAR);
        model.awaitHeldRun();
        List<CompletableFuture<Inference>> queued = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            queued.add(submit(engine, EchoModel.item(i), System.nanoTime() + FAR));
        }
        Thread closer = Thread.ofPlatform().start(engine::close);
        model.release();
        closer.join(TimeUnit.SECONDS.toMillis(60));
        await(running);
        for (int i = 0; i < queued.size(); i++) {
            assertArrayEquals(EchoModel.item(i + 1), queued.get(i).getNow(null).output());
        }
        assertThrows(EngineClosedException.class, () -> submit(engine, EchoModel.item(9), System.nanoTime() + FAR));
    }
}
