package org.elmosearch.plugin.action;

import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.test.AbstractWireSerializingTestCase;
import org.elmosearch.analysis.Token;

import java.util.ArrayList;
import java.util.List;

/** What a node with the model sends back: every kind of result (pooled, tokens, layers, ranking with weights). */
public class EmbedResponseWireTests extends AbstractWireSerializingTestCase<EmbedResponse> {

    @Override
    protected EmbedResponse createTestInstance() {
        int dims = between(1, 8);
        return new EmbedResponse(randomAlphaOfLength(5), dims, randomList(1, 4, () -> randomResult(dims)));
    }

    private static EmbedResponse.Result randomResult(int dims) {
        List<Token> tokens = new ArrayList<>();
        int offset = 0;
        for (int t = between(0, 4); t > 0; t--) {
            String text = randomAlphaOfLengthBetween(1, 6);
            tokens.add(new Token(text, offset, offset + text.length()));
            offset += text.length() + 1;
        }
        float[] vector = tokens.isEmpty() || randomBoolean() ? null : randomVector(dims);
        return switch (randomFrom(EmbedRequest.Output.values())) {
            case POOLED -> new EmbedResponse.Result(tokens, randomBoolean(), vector, null, null, null);
            case TOKENS -> new EmbedResponse.Result(tokens, randomBoolean(), vector, randomMatrix(tokens.size(), dims), null, null);
            case LAYERS -> new EmbedResponse.Result(tokens, randomBoolean(), null, null,
                    new float[][][] {randomMatrix(tokens.size(), dims), randomMatrix(tokens.size(), dims)}, null);
            case RANKING -> new EmbedResponse.Result(tokens, randomBoolean(), vector, randomMatrix(tokens.size(), dims), null,
                    randomBoolean() ? null : randomVector(tokens.size()));
        };
    }

    private static float[][] randomMatrix(int rows, int dims) {
        float[][] matrix = new float[rows][];
        for (int r = 0; r < rows; r++) {
            matrix[r] = randomVector(dims);
        }
        return matrix;
    }

    private static float[] randomVector(int dims) {
        float[] vector = new float[dims];
        for (int d = 0; d < dims; d++) {
            vector[d] = randomFloat();
        }
        return vector;
    }

    @Override
    protected EmbedResponse mutateInstance(EmbedResponse instance) {
        return randomValueOtherThan(instance, this::createTestInstance);
    }

    @Override
    protected Writeable.Reader<EmbedResponse> instanceReader() {
        return EmbedResponse::new;
    }
}
