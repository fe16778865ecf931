package dev.mlapp.inference;

/**
 * One item of a request to the {@link Classifier}: an encoded image, which is decoded and resized for the model, or
 * a tensor a client sent that already is one model input. A request's items are admitted, queued and answered
 * together, whichever kind they are.
 */
public sealed interface Item {

    static Item image(byte[] encoded) {
        return new EncodedImage(encoded);
    }

    static Item tensor(float[] values) {
        return new Tensor(values);
    }

    /** @param bytes a JPEG, PNG, ... file's bytes */
    record EncodedImage(byte[] bytes) implements Item {
    }

    /** @param values {@link InferenceEngine#itemSize()} floats; the engine reads them until the item's answer */
    record Tensor(float[] values) implements Item {
    }
}
