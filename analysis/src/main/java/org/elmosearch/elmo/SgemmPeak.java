package org.elmosearch.elmo;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The machine's single-precision matrix-multiply speed as ONNX Runtime reaches it: the ceiling against which the
 * encoder's achieved GFLOP/s is an efficiency.
 */
public final class SgemmPeak {

    private SgemmPeak() {
    }

    /** Best GFLOP/s of an {@code n x n} by {@code n x n} MatMul over {@code runs} runs, on {@code threads} threads. */
    public static double gflops(int threads, int n, int runs) {
        OnnxGraph g = new OnnxGraph("sgemm", "");
        g.input("a", OnnxGraph.FLOAT, n, n);
        g.input("b", OnnxGraph.FLOAT, n, n);
        g.identity(g.node("MatMul", List.of("a", "b")), "c");
        g.output("c", OnnxGraph.FLOAT, n, n);
        byte[] model = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(ElmoGraphBuilder.OPSET))
                .setGraph(g.build()).build().toByteArray();
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
}
