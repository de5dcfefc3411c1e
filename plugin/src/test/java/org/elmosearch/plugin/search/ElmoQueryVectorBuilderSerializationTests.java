package org.elmosearch.plugin.search;

import org.elasticsearch.common.io.stream.Writeable;
import org.elasticsearch.test.AbstractXContentSerializingTestCase;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.plugin.EmbeddingSpecs;

import java.io.IOException;

/** The builder survives the wire (coordinating node to data nodes) and its own XContent form. */
public class ElmoQueryVectorBuilderSerializationTests extends AbstractXContentSerializingTestCase<ElmoQueryVectorBuilder> {

    @Override
    protected ElmoQueryVectorBuilder createTestInstance() {
        return new ElmoQueryVectorBuilder(randomAlphaOfLength(5), randomRealisticUnicodeOfLength(20), EmbeddingSpecs.random());
    }

    @Override
    protected ElmoQueryVectorBuilder mutateInstance(ElmoQueryVectorBuilder instance) {
        return randomValueOtherThan(instance, this::createTestInstance);
    }

    @Override
    protected Writeable.Reader<ElmoQueryVectorBuilder> instanceReader() {
        return ElmoQueryVectorBuilder::new;
    }

    @Override
    protected ElmoQueryVectorBuilder doParseInstance(XContentParser parser) throws IOException {
        return ElmoQueryVectorBuilder.fromXContent(parser);
    }
}
