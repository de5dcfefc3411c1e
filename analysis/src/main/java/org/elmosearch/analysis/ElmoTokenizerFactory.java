package org.elmosearch.analysis;

import java.util.Map;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.TokenizerFactory;
import org.apache.lucene.util.AttributeFactory;

/** Creates {@link ElmoTokenizer}s; registered with Lucene's analysis SPI as {@value #NAME}. It takes no parameters. */
public final class ElmoTokenizerFactory extends TokenizerFactory {

    public static final String NAME = "elmo";

    public ElmoTokenizerFactory(Map<String, String> args) {
        super(args);
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("Unknown parameters: " + args);
        }
    }

    /** Only for the service loader, which looks the class up by {@link #NAME} and never calls this. */
    public ElmoTokenizerFactory() {
        throw defaultCtorException();
    }

    @Override
    public Tokenizer create(AttributeFactory factory) {
        return new ElmoTokenizer(factory);
    }
}
