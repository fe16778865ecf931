package dev.mlapp.inference;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import dev.mlapp.testing.ForwardingModel;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real model whose first batch run waits until the test releases it, so the queue can be filled behind it. */
final class GatedModel extends ForwardingModel {

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger itemsRun = new AtomicInteger();

    GatedModel(Model model) {
        super(model);
    }

    void awaitHeldRun() throws InterruptedException {
        if (!entered.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the model was never called");
        }
    }

    void release() {
        released.countDown();
    }

    int itemsRun() {
        return itemsRun.get();
    }

    @Override
    public FloatArray predictItems(List<float[]> items) {
        entered.countDown();
        try {
            released.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        itemsRun.addAndGet(items.size());
        return super.predictItems(items);
    }
}
