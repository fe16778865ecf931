package dev.mlapp.inference;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.InferenceException;
import dev.mlapp.model.Model;
import dev.mlapp.testing.ForwardingModel;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A real model that counts its runs and closes, and fails every run, as a broken session would, while broken. */
final class InstrumentedModel extends ForwardingModel {

    final AtomicBoolean broken = new AtomicBoolean();
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();

    InstrumentedModel(Model model) {
        super(model);
    }

    @Override
    public FloatArray predictItems(List<float[]> items) {
        runs.incrementAndGet();
        if (broken.get()) {
            throw new InferenceException("session run failed (injected fault)", new IllegalStateException());
        }
        return super.predictItems(items);
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        super.close();
    }
}
