package io.framewire.inference;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes tiny ONNX models with a YOLO output layout, so the native path (letterbox, blob, forward,
 * batching, output reading) runs without a real YOLO. An 8x8/stride-8 convolution with zero weights
 * and a bias turns any 640x640 input into 6400 identical boxes: channel k of every box is {@code bias[k]}.
 */
final class FakeYolo {

    private static final int SIZE = 640;
    private static final int BOXES = (SIZE / 8) * (SIZE / 8);

    private FakeYolo() {}

    /**
     * v8 {@code [N, 4+C, 6400]} when {@code v5} is false, else v5 {@code [N, 6400, 5+C]} (one more
     * channel, transposed); {@code bias} holds the 4+C or 5+C values of every box. {@code dynamicBatch}
     * false fixes the batch at 1.
     */
    static Path write(Path file, float[] bias, boolean v5, boolean dynamicBatch) throws IOException {
        int channels = bias.length;
        Proto graph = new Proto()
                .message(1, node("Conv", new String[] {"images", "W", "B"}, "conv",
                        ints("kernel_shape", 8, 8), ints("strides", 8, 8)))
                .message(1, node("Reshape", new String[] {"conv", "shape"}, v5 ? "flat" : "output0"))
                .string(2, "fake-yolo")
                .message(5, tensor("W", 1, new long[] {channels, 3, 8, 8}, new float[channels * 3 * 64]))
                .message(5, tensor("B", 1, new long[] {channels}, bias))
                .message(5, int64s("shape", dynamicBatch ? -1 : 1, channels, BOXES))
                .message(11, valueInfo("images", dynamicBatch ? -1 : 1, 3, SIZE, SIZE))
                .message(12, v5 ? valueInfo("output0", dynamicBatch ? -1 : 1, BOXES, channels)
                        : valueInfo("output0", dynamicBatch ? -1 : 1, channels, BOXES));
        if (v5) {
            graph.message(1, node("Transpose", new String[] {"flat"}, "output0", ints("perm", 0, 2, 1)));
        }
        Proto model = new Proto()
                .varint(1, 8) // ir_version
                .message(8, new Proto().string(1, "").varint(2, 13)) // opset 13
                .message(7, graph);
        return Files.write(file, model.bytes());
    }

    private static Proto node(String op, String[] inputs, String output, Proto... attributes) {
        Proto n = new Proto();
        for (String in : inputs) {
            n.string(1, in);
        }
        n.string(2, output).string(3, op + "_" + output).string(4, op);
        for (Proto a : attributes) {
            n.message(5, a);
        }
        return n;
    }

    private static Proto ints(String name, long... values) {
        Proto a = new Proto().string(1, name);
        for (long v : values) {
            a.varint(8, v);
        }
        return a.varint(20, 7); // INTS
    }

    private static Proto tensor(String name, int type, long[] dims, float[] values) {
        Proto t = new Proto();
        for (long d : dims) {
            t.varint(1, d);
        }
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return t.varint(2, type).string(8, name).bytes(9, raw.array());
    }

    private static Proto int64s(String name, long... values) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return new Proto().varint(1, values.length).varint(2, 7).string(8, name).bytes(9, raw.array());
    }

    /** A float tensor value; a negative dimension is the symbolic batch "N". */
    private static Proto valueInfo(String name, long... dims) {
        Proto shape = new Proto();
        for (long d : dims) {
            shape.message(1, d < 0 ? new Proto().string(2, "N") : new Proto().varint(1, d));
        }
        Proto tensorType = new Proto().varint(1, 1).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** Just enough protobuf wire format: varints and length-delimited fields. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            raw((long) field << 3);
            raw(value);
            return this;
        }

        Proto bytes(int field, byte[] value) {
            raw((long) field << 3 | 2);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto value) {
            return bytes(field, value.bytes());
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void raw(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) (v & 0x7f) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
