package dev.mlapp.model;

import org.tensorflow.proto.ConfigProto;

/**
 * TensorFlow thread-pool sizes for a session.
 *
 * @param intraOpThreads threads one kernel (a convolution) may split across; 0 lets TensorFlow use every host core,
 *                       which over-subscribes a pod whose CPU limit is lower than the node's core count
 * @param interOpThreads independent kernels that may run at once; 0 means TensorFlow's default
 */
public record SessionOptions(int intraOpThreads, int interOpThreads) {

    public static final SessionOptions TENSORFLOW_DEFAULTS = new SessionOptions(0, 0);

    public ConfigProto toConfigProto() {
        return ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(intraOpThreads)
                .setInterOpParallelismThreads(interOpThreads)
                .build();
    }
}
