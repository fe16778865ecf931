package dev.mlapp.testing;

import dev.mlapp.model.FloatArray;
import dev.mlapp.model.Model;
import dev.mlapp.model.ModelInfo;
import java.util.List;

/** A {@link Model} that hands every call to another; test models override only the calls they instrument. */
public abstract class ForwardingModel implements Model {

    private final Model model;

    protected ForwardingModel(Model model) {
        this.model = model;
    }

    @Override
    public FloatArray predict(FloatArray input) {
        return model.predict(input);
    }

    @Override
    public FloatArray predictItems(List<float[]> items) {
        return model.predictItems(items);
    }

    @Override
    public ModelInfo info() {
        return model.info();
    }

    @Override
    public void close() {
        model.close();
    }
}
