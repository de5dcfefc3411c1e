package org.elmosearch.plugin.mapper;

import org.elmosearch.lucene.TokenVectorEncoding;

import java.util.Objects;

/**
 * How an {@code elmo_token_vectors} field stores each document's token vectors: their width, the byte encoding of
 * the doc value (analysis' {@link TokenVectorEncoding}: {@code float32} is Lucene's {@code LateInteractionField}
 * payload, {@code int8} a quarter of it), and how many tokens a document keeps.
 *
 * @param dims      numbers per token vector, 1 to {@link #MAX_DIMS}
 * @param encoding  the doc-value encoding
 * @param maxTokens token vectors kept per document, 1 to {@link #MAX_TOKENS_LIMIT}; later ones are dropped
 */
public record TokenVectorsFormat(int dims, TokenVectorEncoding encoding, int maxTokens) {

    /** Dense vectors' limit in Elasticsearch; ELMo's widest published model has 1024. */
    public static final int MAX_DIMS = 4096;
    /** The processor's own limit on tokens per text; a document never needs to keep more. */
    public static final int MAX_TOKENS_LIMIT = 4096;
    public static final int DEFAULT_MAX_TOKENS = 512;

    public TokenVectorsFormat {
        Objects.requireNonNull(encoding, "encoding");
        if (dims < 1 || dims > MAX_DIMS) {
            throw new IllegalArgumentException("[dims] must be between 1 and " + MAX_DIMS + ", got [" + dims + "]");
        }
        if (maxTokens < 1 || maxTokens > MAX_TOKENS_LIMIT) {
            throw new IllegalArgumentException("[max_tokens] must be between 1 and " + MAX_TOKENS_LIMIT + ", got [" + maxTokens + "]");
        }
    }
}
