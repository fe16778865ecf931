package dev.mlapp.inference;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import dev.mlapp.model.TfModel;
import dev.mlapp.testing.ForwardingModel;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * A real TensorFlow model whose output identifies its input: it returns each row unchanged, so a caller can tell
 * whether it got its own result. A graph assertion fails the whole run when any value is negative, which is how the
 * tests make TensorFlow fail. {@link #hold()} parks the next run until {@link #release()}, so tests can fill the
 * queue behind a running batch deterministically.
 */
final class EchoModel extends ForwardingModel {

    static final int ITEM_SIZE = 4;

    private final AtomicInteger itemsRun = new AtomicInteger();
    private final AtomicInteger maxBatchSeen = new AtomicInteger();
    private volatile Semaphore gate;
    private final CountDownLatch[] entered = {new CountDownLatch(1)};

    EchoModel() {
        super(echoGraph());
    }

    /** Identity on [batch, 4] that fails the run, as a broken session would, when an input is negative. */
    private static Model echoGraph() {
        Graph graph = new Graph();
        Ops tf = Ops.create(graph);
        Placeholder<TFloat32> input = tf.withName("input").placeholder(TFloat32.class,
                Placeholder.shape(Shape.of(-1, ITEM_SIZE)));
        Operand<TBool> nonNegative = tf.reduceAll(tf.math.greaterEqual(input, tf.constant(0f)), tf.constant(new int[] {0, 1}));
        AssertThat check = tf.assertThat(nonNegative, List.of(tf.constant("negative input")));
        tf.withControlDependencies(List.of(check)).withName("output").identity(input);
        Session session = new Session(graph);
        ModelInfo info = new ModelInfo("echo", "test", "test:echo", "none", new long[] {ITEM_SIZE},
                new long[] {ITEM_SIZE}, false, List.of());
        return new TfModel(info, session, "input", "output", () -> {
            session.close();
            graph.close();
        });
    }

    static float[] item(float id) {
        return new float[] {id, id + 0.25f, id + 0.5f, id + 0.75f};
    }

    /** Makes the next model run wait in {@link #predictItems} until {@link #release()}. */
    void hold() {
        entered[0] = new CountDownLatch(1);
        gate = new Semaphore(0);
    }

    /** Waits until a held run has started, i.e. the worker is busy and later submits stay queued. */
    void awaitHeldRun() throws InterruptedException {
        if (!entered[0].await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the model was never called");
        }
    }

    void release() {
        Semaphore g = gate;
        gate = null;
        if (g != null) {
            g.release(Integer.MAX_VALUE / 2);
        }
    }

    int itemsRun() {
        return itemsRun.get();
    }

    int maxBatchSeen() {
        return maxBatchSeen.get();
    }

    @Override
    public FloatArray predictItems(List<float[]> items) {
        Semaphore g = gate;
        entered[0].countDown();
        if (g != null) {
            g.acquireUninterruptibly();
        }
        itemsRun.addAndGet(items.size());
        maxBatchSeen.accumulateAndGet(items.size(), Math::max);
        return super.predictItems(items);
    }
}
