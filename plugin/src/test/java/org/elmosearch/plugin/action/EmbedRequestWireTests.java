package org.elmosearch.plugin.action;

import org.elasticsearch.common.io.stream.BytesStreamOutput;
import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.test.AbstractWireSerializingTestCase;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.plugin.EmbeddingSpecs;

import java.io.IOException;
import java.util.List;

import static org.hamcrest.Matchers.containsString;

/** What a node without the model sends to one that has it. */
public class EmbedRequestWireTests extends AbstractWireSerializingTestCase<EmbedRequest> {

    @Override
    protected EmbedRequest createTestInstance() {
        EmbedRequest.Output output = randomFrom(EmbedRequest.Output.values());
        return new EmbedRequest(randomAlphaOfLength(5), randomList(1, 5, () -> randomRealisticUnicodeOfLength(20)), EmbeddingSpecs.random(),
                output, output == EmbedRequest.Output.RANKING ? randomFrom(true, false, null) : null);
    }

    @Override
    protected EmbedRequest mutateInstance(EmbedRequest instance) {
        return randomValueOtherThan(instance, this::createTestInstance);
    }

    @Override
    protected Writeable.Reader<EmbedRequest> instanceReader() {
        return EmbedRequest::new;
    }

    public void testARequestReadFromTheWireIsNotForwardedAgain() throws IOException {
        EmbedRequest request = createTestInstance();
        assertFalse(request.forwarded());
        BytesStreamOutput out = new BytesStreamOutput();
        request.writeTo(out);
        assertTrue(new EmbedRequest(out.bytes().streamInput()).forwarded());
    }

    public void testIdfOnlyAppliesToTheRankingOutput() {
        EmbedRequest request = new EmbedRequest("m", List.of("a"), EmbeddingSpec.NONE, EmbedRequest.Output.TOKENS, true);
        assertThat(request.validate().getMessage(), containsString("[idf] only applies to [output] [ranking]"));
        assertNull(new EmbedRequest("m", List.of("a"), EmbeddingSpec.NONE, EmbedRequest.Output.RANKING, true).validate());
    }
}
