package org.elmosearch.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The machine's single-precision matrix-multiply speed as ONNX Runtime reaches it: the ceiling against which the
 * encoder's achieved GFLOP/s is an efficiency.
 */
public final class SgemmPeak {

    /** MatMul has not changed since opset 13. */
    private static final int MATMUL_OPSET = 13;

    private SgemmPeak() {
    }

    /** Best GFLOP/s of an {@code n x n} by {@code n x n} MatMul over {@code runs} runs, on {@code threads} threads. */
    public static double gflops(int threads, int n, int runs) {
        GraphProto graph = GraphProto.newBuilder().setName("sgemm")
                .addInput(matrix("a", n)).addInput(matrix("b", n)).addOutput(matrix("c", n))
                .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("a").addInput("b").addOutput("c"))
                .build();
        byte[] model = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(MATMUL_OPSET))
                .setGraph(graph).build().toByteArray();
        float[] data = new float[n * n];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextDouble();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            try (OrtSession session = env.createSession(model, options);
                 OnnxTensor a = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[]{n, n});
                 OnnxTensor b = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[]{n, n})) {
                double best = Double.MAX_VALUE;
                for (int i = 0; i < runs + 1; i++) {
                    long start = System.nanoTime();
                    session.run(Map.of("a", a, "b", b)).close();
                    if (i > 0) {
                        best = Math.min(best, (System.nanoTime() - start) / 1e9);
                    }
                }
                return 2.0 * n * n * n / best / 1e9;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime MatMul failed: " + e.getMessage(), e);
        }
    }

    private static ValueInfoProto matrix(String name, int n) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(n))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(n));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
