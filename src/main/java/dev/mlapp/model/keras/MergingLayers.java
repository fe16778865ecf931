package dev.mlapp.model.keras;

import java.util.List;
import java.util.function.BinaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The layers that combine several tensors: elementwise merges and Concatenate. */
final class MergingLayers {

    private MergingLayers() {
    }

    static void register(LayerRegistry.Builder layers) {
        layers.add("Add", (ops, layer, in) -> merge(ops, in, ops.tf().math::add));
        layers.add("Subtract", (ops, layer, in) -> merge(ops, in, ops.tf().math::sub));
        layers.add("Multiply", (ops, layer, in) -> merge(ops, in, ops.tf().math::mul));
        layers.add("Maximum", (ops, layer, in) -> merge(ops, in, ops.tf().math::maximum));
        layers.add("Minimum", (ops, layer, in) -> merge(ops, in, ops.tf().math::minimum));
        layers.add("Average", (ops, layer, in) -> {
            KTensor sum = merge(ops, in, ops.tf().math::add);
            return new KTensor(ops.tf().math.div(sum.value(), ops.scalar(in.size())), sum.transposed());
        });
        layers.add("Concatenate", MergingLayers::concatenate);
    }

    private static List<KTensor> sameLayout(GraphOps ops, List<KTensor> inputs) {
        boolean allTransposed = inputs.stream().allMatch(KTensor::transposed);
        return allTransposed ? inputs : inputs.stream().map(ops::logical).toList();
    }

    private static KTensor merge(GraphOps ops, List<KTensor> inputs, BinaryOperator<Operand<TFloat32>> op) {
        List<KTensor> in = sameLayout(ops, inputs);
        Operand<TFloat32> y = in.get(0).value();
        for (int i = 1; i < in.size(); i++) {
            y = op.apply(y, in.get(i).value());
        }
        return new KTensor(y, in.get(0).transposed());
    }

    private static KTensor concatenate(GraphOps ops, LayerConfig layer, List<KTensor> inputs) {
        Ops tf = ops.tf();
        List<KTensor> in = sameLayout(ops, inputs);
        int axis = GraphOps.physicalAxis(in.get(0), layer.integer("axis", -1));
        List<Operand<TFloat32>> values = in.stream().map(KTensor::value).toList();
        return new KTensor(tf.concat(values, tf.constant(axis)), in.get(0).transposed());
    }
}
