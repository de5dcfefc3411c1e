package org.elmosearch.plugin.action;

import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.common.io.stream.StreamInput;
import org.elasticsearch.test.ESTestCase;
import org.elmosearch.analysis.Token;
import org.elmosearch.node.EmbeddingSpec;

import java.io.IOException;
import java.util.List;

import static org.hamcrest.Matchers.containsString;

/** What a node without the model sends and gets back survives the wire, the ranking output's weights included. */
public class EmbedWireTests extends ESTestCase {

    public void testARankingRequestKeepsItsIdfChoiceOverTheWire() throws IOException {
        for (Boolean idf : java.util.Arrays.asList(true, false, null)) {
            EmbedRequest request = new EmbedRequest("m", List.of("a text", "another"), new EmbeddingSpec(null, null, null, 64),
                    EmbedRequest.Output.RANKING, idf);
            BytesStreamOutput out = new BytesStreamOutput();
            request.writeTo(out);
            EmbedRequest read = new EmbedRequest(out.bytes().streamInput());
            assertEquals("m", read.modelId());
            assertEquals(request.texts(), read.texts());
            assertEquals(request.spec(), read.spec());
            assertEquals(EmbedRequest.Output.RANKING, read.output());
            assertEquals(idf, read.idf());
            assertTrue("a request read from the wire is not forwarded again", read.forwarded());
        }
    }

    public void testIdfOnlyAppliesToTheRankingOutput() {
        EmbedRequest request = new EmbedRequest("m", List.of("a"), EmbeddingSpec.NONE, EmbedRequest.Output.TOKENS, true);
        assertThat(request.validate().getMessage(), containsString("[idf] only applies to [output] [ranking]"));
        assertNull(new EmbedRequest("m", List.of("a"), EmbeddingSpec.NONE, EmbedRequest.Output.RANKING, true).validate());
    }

    public void testEveryKindOfResultRoundTrips() throws IOException {
        List<Token> tokens = List.of(new Token("river", 0, 5), new Token("bank", 6, 10));
        float[][] vectors = {{0.6f, 0.8f}, {1f, 0f}};
        List<EmbedResponse.Result> results = List.of(
                new EmbedResponse.Result(tokens, false, new float[] {0.1f, 0.2f}, null, null, null),
                new EmbedResponse.Result(tokens, true, new float[] {0.3f, 0.4f}, vectors, null, new float[] {1.4f, 0.6f}),
                new EmbedResponse.Result(tokens, false, null, null, new float[][][] {vectors, vectors, vectors}, null),
                new EmbedResponse.Result(List.of(), false, null, new float[0][], null, null));
        BytesStreamOutput out = new BytesStreamOutput();
        new EmbedResponse("m", 2, results).writeTo(out);
        StreamInput in = out.bytes().streamInput();
        EmbedResponse read = new EmbedResponse(in);
        assertEquals(2, read.dims());
        assertEquals(results.size(), read.results().size());
        for (int i = 0; i < results.size(); i++) {
            EmbedResponse.Result expected = results.get(i);
            EmbedResponse.Result actual = read.results().get(i);
            assertEquals(expected.tokens(), actual.tokens());
            assertEquals(expected.truncated(), actual.truncated());
            assertArrayEquals(expected.vector(), actual.vector(), 0f);
            assertTrue(java.util.Arrays.deepEquals(expected.tokenVectors(), actual.tokenVectors()));
            assertTrue(java.util.Arrays.deepEquals(expected.layers(), actual.layers()));
            assertArrayEquals(expected.tokenWeights(), actual.tokenWeights(), 0f);
        }
    }
}
