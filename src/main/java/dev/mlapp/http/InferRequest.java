package dev.mlapp.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.mlapp.image.Scaling;
import dev.mlapp.inference.Item;
import dev.mlapp.model.Model;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * An Open Inference Protocol inference request, parsed and checked against the model before any work is spent.
 *
 * <p>The body is the JSON {@code $inference_request}, optionally followed by binary tensor data (the binary
 * tensor data extension: the {@code Inference-Header-Content-Length} header gives the JSON's length, and each
 * input sent that way says its size in {@code parameters.binary_data_size}). Binary data is little-endian, row
 * major; a BYTES element is a 4-byte little-endian length and then the bytes.
 *
 * <p>The model has one input. It arrives either as numbers of the model's item shape with a leading batch
 * dimension ({@code FP32} as is, {@code UINT8} as 0–255 pixel values scaled like a decoded image), or as
 * {@code BYTES}, one encoded image per element (base64 strings in JSON, raw bytes in binary data), which the image
 * pipeline decodes and resizes.
 *
 * @param id           the request's {@code id}, echoed in the response; null if absent
 * @param items        model-input items (FP32/UINT8), or null when {@code images} is set
 * @param images       encoded images (BYTES), or null when {@code items} is set
 * @param outputs      the outputs asked for, in order; all of them when the request names none
 */
record InferRequest(String id, List<float[]> items, List<byte[]> images, List<RequestedOutput> outputs) {

    static final String INPUT = "input";
    static final String OUTPUT = "output";
    static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    /**
     * @param binary         return the tensor as binary data after the JSON
     * @param classification when positive, return the top classes as BYTES {@code "score:index:label"} (the
     *                       classification extension) instead of the scores
     */
    record RequestedOutput(String name, boolean binary, int classification) {
    }

    int batchSize() {
        return items != null ? items.size() : images.size();
    }

    /** The items for the classifier, images or tensors. */
    List<Item> inputs() {
        return items != null ? items.stream().map(Item::tensor).toList() : images.stream().map(Item::image).toList();
    }

    /**
     * @param headerLength the {@value #HEADER_LENGTH} header, or null when the body is JSON only
     * @param itemShape    one model input item, batch excluded, e.g. 224, 224, 3
     * @throws ApiError 400 for anything the protocol or the model does not accept, with a sentence saying what
     */
    static InferRequest parse(byte[] body, String headerLength, long[] itemShape, Scaling scaling) {
        int jsonLength = jsonLength(body, headerLength);
        JsonObject json = parseJson(new String(body, 0, jsonLength, StandardCharsets.UTF_8));
        ByteBuffer binary = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        JsonArray inputs = array(json, "inputs");
        if (inputs == null || inputs.size() != 1 || !inputs.get(0).isJsonObject()) {
            throw bad("the model takes exactly one input, '" + INPUT + "'; send \"inputs\": [{\"name\": \""
                    + INPUT + "\", \"datatype\": ..., \"shape\": ..., \"data\": ...}]");
        }
        JsonObject input = inputs.get(0).getAsJsonObject();
        String name = string(input, "name");
        if (!INPUT.equals(name)) {
            throw bad("unknown input '" + name + "'; the model's input is '" + INPUT + "'");
        }
        long[] shape = shape(input);
        String datatype = string(input, "datatype");
        Long binarySize = binaryDataSize(input);
        if (binarySize == null && !input.has("data")) {
            throw bad("input '" + INPUT + "' has neither \"data\" nor parameters.binary_data_size");
        }
        if (binarySize != null && binarySize != binary.remaining()) {
            throw bad("input '" + INPUT + "' says binary_data_size " + binarySize + " but " + binary.remaining()
                    + " bytes follow the JSON");
        }
        String id = json.has("id") ? string(json, "id") : null;
        List<RequestedOutput> outputs = outputs(json);
        return switch (datatype == null ? "" : datatype) {
            case "FP32", "UINT8" -> new InferRequest(id, items(input, datatype, shape, itemShape, scaling,
                    binarySize == null ? null : binary), null, outputs);
            case "BYTES" -> new InferRequest(id, null, images(input, shape, binarySize == null ? null : binary),
                    outputs);
            default -> throw bad("datatype '" + datatype + "' is not accepted; send FP32 or UINT8 numbers of shape "
                    + batchOf(itemShape) + ", or BYTES holding encoded images (JPEG, PNG, ...)");
        };
    }

    private static int jsonLength(byte[] body, String headerLength) {
        if (headerLength == null) {
            return body.length;
        }
        try {
            int length = Integer.parseInt(headerLength.trim());
            if (length < 0 || length > body.length) {
                throw bad(HEADER_LENGTH + " is " + length + " but the body has " + body.length + " bytes");
            }
            return length;
        } catch (NumberFormatException e) {
            throw bad(HEADER_LENGTH + " is not a number: '" + headerLength + "'");
        }
    }

    private static JsonObject parseJson(String text) {
        try {
            JsonElement element = JsonParser.parseString(text);
            if (!element.isJsonObject()) {
                throw bad("the request body must be a JSON object ($inference_request)");
            }
            return element.getAsJsonObject();
        } catch (JsonParseException e) {
            throw bad("the request body is not valid JSON: " + e.getMessage());
        }
    }

    private static List<float[]> items(JsonObject input, String datatype, long[] shape, long[] itemShape,
                                       Scaling scaling, ByteBuffer binary) {
        if (shape.length != itemShape.length + 1 || shape[0] < 1
                || !Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), itemShape)) {
            throw bad(datatype + " input shape " + Arrays.toString(shape) + " does not fit the model; send "
                    + batchOf(itemShape) + " for n >= 1 items");
        }
        int itemSize = Math.toIntExact(count(itemShape));
        int n = Math.toIntExact(shape[0]);
        float[] all = new float[Math.multiplyExact(n, itemSize)];
        boolean uint8 = datatype.equals("UINT8");
        if (binary != null) {
            int width = uint8 ? 1 : Float.BYTES;
            if (binary.remaining() != (long) all.length * width) {
                throw bad("binary data of input '" + INPUT + "' has " + binary.remaining() + " bytes; shape "
                        + Arrays.toString(shape) + " of " + datatype + " needs " + (long) all.length * width);
            }
            for (int i = 0; i < all.length; i++) {
                all[i] = uint8 ? scaling.apply(Byte.toUnsignedInt(binary.get())) : binary.getFloat();
            }
        } else {
            int filled = flatten(input.get("data"), all, 0, uint8, scaling);
            if (filled != all.length) {
                throw bad("input '" + INPUT + "' has " + filled + " values; shape " + Arrays.toString(shape)
                        + " needs " + all.length);
            }
        }
        List<float[]> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(Arrays.copyOfRange(all, i * itemSize, (i + 1) * itemSize));
        }
        return items;
    }

    /** Row-major values, whether the client nested the arrays by dimension or sent them flat. */
    private static int flatten(JsonElement data, float[] into, int at, boolean uint8, Scaling scaling) {
        if (data.isJsonArray()) {
            for (JsonElement e : data.getAsJsonArray()) {
                at = flatten(e, into, at, uint8, scaling);
            }
            return at;
        }
        if (!data.isJsonPrimitive() || !data.getAsJsonPrimitive().isNumber()) {
            throw bad("input '" + INPUT + "' holds " + data + " where a number belongs");
        }
        if (at >= into.length) {
            return at + 1; // too many values: the caller reports the count
        }
        if (uint8) {
            int v = data.getAsInt();
            if (v < 0 || v > 255 || v != data.getAsDouble()) {
                throw bad("UINT8 value " + data + " is not a whole number from 0 to 255");
            }
            into[at] = scaling.apply(v);
        } else {
            into[at] = data.getAsFloat();
        }
        return at + 1;
    }

    private static List<byte[]> images(JsonObject input, long[] shape, ByteBuffer binary) {
        if (shape.length != 1 || shape[0] < 1) {
            throw bad("BYTES input shape must be [n], one encoded image per element, not " + Arrays.toString(shape));
        }
        int n = Math.toIntExact(shape[0]);
        List<byte[]> images = new ArrayList<>(n);
        if (binary != null) {
            while (binary.remaining() >= Integer.BYTES) {
                long length = Integer.toUnsignedLong(binary.getInt());
                if (length > binary.remaining()) {
                    throw bad("a BYTES element says it has " + length + " bytes but only " + binary.remaining()
                            + " follow");
                }
                byte[] image = new byte[(int) length];
                binary.get(image);
                images.add(image);
            }
            if (binary.hasRemaining()) {
                throw bad("binary data of input '" + INPUT + "' ends inside a BYTES element's 4-byte length");
            }
        } else {
            JsonElement data = input.get("data");
            for (JsonElement e : data.isJsonArray() ? data.getAsJsonArray() : single(data)) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw bad("a BYTES element in JSON must be a base64 string of an encoded image, not " + e);
                }
                try {
                    images.add(Base64.getMimeDecoder().decode(e.getAsString()));
                } catch (IllegalArgumentException invalid) {
                    throw bad("a BYTES element is not base64: " + invalid.getMessage());
                }
            }
        }
        if (images.size() != n) {
            throw bad("input '" + INPUT + "' has " + images.size() + " BYTES elements; shape "
                    + Arrays.toString(shape) + " says " + n);
        }
        return images;
    }

    private static JsonArray single(JsonElement e) {
        JsonArray array = new JsonArray();
        array.add(e);
        return array;
    }

    private static List<RequestedOutput> outputs(JsonObject json) {
        boolean allBinary = bool(object(json, "parameters"), "binary_data_output");
        JsonArray requested = array(json, "outputs");
        if (requested == null || requested.isEmpty()) {
            return List.of(new RequestedOutput(OUTPUT, allBinary, 0));
        }
        List<RequestedOutput> outputs = new ArrayList<>();
        for (JsonElement e : requested) {
            if (!e.isJsonObject()) {
                throw bad("each of \"outputs\" must be an object with a \"name\"");
            }
            JsonObject output = e.getAsJsonObject();
            String name = string(output, "name");
            if (!OUTPUT.equals(name)) {
                throw bad("unknown output '" + name + "'; the model's output is '" + OUTPUT + "'");
            }
            JsonObject parameters = object(output, "parameters");
            boolean binary = parameters != null && parameters.has("binary_data")
                    ? bool(parameters, "binary_data") : allBinary;
            int classification = parameters != null && parameters.has("classification")
                    ? positiveInt(parameters, "classification") : 0;
            outputs.add(new RequestedOutput(name, binary, classification));
        }
        return outputs;
    }

    private static long[] shape(JsonObject input) {
        JsonArray shape = array(input, "shape");
        if (shape == null) {
            throw bad("input '" + INPUT + "' has no \"shape\"");
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonElement d = shape.get(i);
            if (!d.isJsonPrimitive() || !d.getAsJsonPrimitive().isNumber() || d.getAsLong() < 0
                    || d.getAsLong() != d.getAsDouble()) {
                throw bad("shape " + shape + " must hold whole numbers of zero or more");
            }
            dims[i] = d.getAsLong();
        }
        return dims;
    }

    private static Long binaryDataSize(JsonObject input) {
        JsonObject parameters = object(input, "parameters");
        if (parameters == null || !parameters.has("binary_data_size")) {
            return null;
        }
        return (long) positiveInt(parameters, "binary_data_size");
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static String batchOf(long[] itemShape) {
        return Arrays.toString(Model.batchShape(itemShape, -1)).replace("[-1", "[n");
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw bad("\"" + key + "\" must be a string");
        }
        return e.getAsString();
    }

    private static JsonArray array(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonArray()) {
            throw bad("\"" + key + "\" must be an array");
        }
        return e.getAsJsonArray();
    }

    private static JsonObject object(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw bad("\"" + key + "\" must be an object ($parameters)");
        }
        return e.getAsJsonObject();
    }

    private static boolean bool(JsonObject o, String key) {
        if (o == null || !o.has(key)) {
            return false;
        }
        JsonElement e = o.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw bad("parameter \"" + key + "\" must be true or false");
        }
        return e.getAsBoolean();
    }

    private static int positiveInt(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber() || e.getAsDouble() != e.getAsInt()
                || e.getAsInt() < 0) {
            throw bad("parameter \"" + key + "\" must be a whole number of zero or more");
        }
        return e.getAsInt();
    }

    private static ApiError bad(String message) {
        return ApiError.badRequest(message);
    }
}
