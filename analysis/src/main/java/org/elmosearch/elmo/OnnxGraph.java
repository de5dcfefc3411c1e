package org.elmosearch.elmo;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A small builder over the ONNX protobuf messages: named inputs, outputs, initializers and nodes, each node's
 * output named uniquely. One instance per graph; subgraphs (a Scan body) get their own instance with a prefix.
 */
final class OnnxGraph {

    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int INT32 = TensorProto.DataType.INT32_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;
    static final int BOOL = TensorProto.DataType.BOOL_VALUE;
    static final int INT8 = TensorProto.DataType.INT8_VALUE;
    /** ONNX Runtime's own operators ({@code DynamicQuantizeMatMul}). */
    static final String MICROSOFT_DOMAIN = "com.microsoft";

    private final GraphProto.Builder graph;
    private final String prefix;
    private String stage = "";
    private int counter;

    OnnxGraph(String name, String prefix) {
        this.graph = GraphProto.newBuilder().setName(name);
        this.prefix = prefix;
    }

    /**
     * Names the following nodes {@code stage/op_n}, so that run-time profiles can be summed by stage of the model.
     */
    void stage(String name) {
        this.stage = name + "/";
    }

    /** A graph input; each dimension is an Integer (fixed) or a String (symbolic). */
    String input(String name, int elemType, Object... dims) {
        graph.addInput(valueInfo(name, elemType, dims));
        return name;
    }

    void output(String valueName, int elemType, Object... dims) {
        graph.addOutput(valueInfo(valueName, elemType, dims));
    }

    /** A float initializer, row-major data of the given shape. */
    String floats(String name, float[] data, int... shape) {
        checkShape(name, data.length, shape);
        ByteBuffer bytes = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        graph.addInitializer(tensor(name, FLOAT, shape).setRawData(ByteString.copyFrom(bytes.array())));
        return name;
    }

    /** An int8 initializer, row-major data of the given shape. */
    String int8s(String name, byte[] data, int... shape) {
        checkShape(name, data.length, shape);
        graph.addInitializer(tensor(name, INT8, shape).setRawData(ByteString.copyFrom(data)));
        return name;
    }

    private static void checkShape(String name, int values, int... shape) {
        if (Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b) != values) {
            throw new IllegalArgumentException(name + ": " + values + " values do not fit shape " + Arrays.toString(shape));
        }
    }

    /** A 0-D float initializer. */
    String scalar(String name, float value) {
        return floats(name, new float[]{value});
    }

    /** A 0-D int64 initializer (a Gather index). */
    String index(String name, long value) {
        ByteBuffer bytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
        graph.addInitializer(tensor(name, INT64).setRawData(ByteString.copyFrom(bytes.array())));
        return name;
    }

    /** A 0-D int32 initializer. */
    String int32(String name, int value) {
        ByteBuffer bytes = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value);
        graph.addInitializer(tensor(name, INT32).setRawData(ByteString.copyFrom(bytes.array())));
        return name;
    }

    /** A 1-D int64 initializer (shapes, axes, split sizes). */
    String longs(String name, long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        graph.addInitializer(tensor(name, INT64, values.length).setRawData(ByteString.copyFrom(bytes.array())));
        return name;
    }

    /** Adds a node with one output and returns that output's name. */
    String node(String op, List<String> inputs, AttributeProto... attributes) {
        return nodes(op, 1, inputs, attributes)[0];
    }

    /** Adds a node with {@code outputs} outputs and returns their names. */
    String[] nodes(String op, int outputs, List<String> inputs, AttributeProto... attributes) {
        return nodes("", op, outputs, inputs, attributes);
    }

    /** Adds a node of an operator outside the default ONNX domain and returns its output's name. */
    String node(String domain, String op, List<String> inputs) {
        return nodes(domain, op, 1, inputs)[0];
    }

    private String[] nodes(String domain, String op, int outputs, List<String> inputs, AttributeProto... attributes) {
        String base = prefix + stage + op.toLowerCase(java.util.Locale.ROOT) + "_" + counter++;
        String[] names = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            names[i] = outputs == 1 ? base : base + "_" + i;
        }
        graph.addNode(NodeProto.newBuilder().setDomain(domain).setOpType(op).setName(base)
                .addAllInput(inputs).addAllOutput(Arrays.asList(names)).addAllAttribute(Arrays.asList(attributes)));
        return names;
    }

    /** Renames a value by an Identity node, so that a graph output gets a stable name. */
    void identity(String from, String to) {
        graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName(prefix + "identity_" + to).addInput(from).addOutput(to));
    }

    GraphProto build() {
        return graph.build();
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    static AttributeProto attr(String name, GraphProto body) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(body).build();
    }

    private static TensorProto.Builder tensor(String name, int elemType, int... shape) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(elemType);
        for (int d : shape) {
            t.addDims(d);
        }
        return t;
    }

    private static ValueInfoProto valueInfo(String name, int elemType, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) {
                dim.setDimValue(i);
            } else {
                dim.setDimParam(d.toString());
            }
            shape.addDim(dim);
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
                .build();
    }
}
