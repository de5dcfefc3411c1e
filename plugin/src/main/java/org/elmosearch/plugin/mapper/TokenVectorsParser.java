package org.elmosearch.plugin.mapper;

import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.elmo.Pooling;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one document's token vectors, {@code [[x, ...], ...]}, from the parser positioned on the outer array. Every
 * vector is checked (D finite numbers, not all zero), even past the cap, so that a document is accepted or refused
 * whatever {@code max_tokens} is; only the first {@code max_tokens} are kept, scaled to unit length so that MaxSim's
 * dot products are cosines.
 */
final class TokenVectorsParser {

    private TokenVectorsParser() {
    }

    /** The kept vectors, unit length; none for an empty array. The parser ends on the outer array's end. */
    static float[][] read(XContentParser parser, String field, TokenVectorsFormat format) throws IOException {
        if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
            throw new IllegalArgumentException("field [" + field + "] of type [" + ElmoTokenVectorsFieldMapper.CONTENT_TYPE
                    + "] must be an array of token vectors, each an array of [" + format.dims() + "] numbers; got [" + parser.currentToken() + "]");
        }
        List<float[]> kept = new ArrayList<>();
        float[] scratch = new float[format.dims()];
        int token = 0;
        for (XContentParser.Token t = parser.nextToken(); t != XContentParser.Token.END_ARRAY; t = parser.nextToken(), token++) {
            boolean keep = token < format.maxTokens();
            float[] vector = keep ? new float[format.dims()] : scratch;
            readVector(parser, field, format.dims(), token, vector);
            if (keep) {
                kept.add(vector);
            }
        }
        return Pooling.l2NormalizedCopies(kept.toArray(new float[0][]));
    }

    private static void readVector(XContentParser parser, String field, int dims, int token, float[] into) throws IOException {
        if (parser.currentToken() != XContentParser.Token.START_ARRAY) {
            throw new IllegalArgumentException("field [" + field + "]: token vector [" + token + "] must be an array of [" + dims
                    + "] numbers, got [" + parser.currentToken() + "]; send one array per token, [[...], [...]]");
        }
        int length = 0;
        double squares = 0;
        for (XContentParser.Token t = parser.nextToken(); t != XContentParser.Token.END_ARRAY; t = parser.nextToken(), length++) {
            if (t != XContentParser.Token.VALUE_NUMBER) {
                throw new IllegalArgumentException("field [" + field + "]: token vector [" + token + "] holds [" + t + "] at index ["
                        + length + "]; only numbers are allowed");
            }
            float x = parser.floatValue();
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("field [" + field + "]: token vector [" + token + "] holds a non-finite number ["
                        + parser.text() + "] at index [" + length + "]");
            }
            if (length < dims) {
                into[length] = x;
            }
            squares += (double) x * x;
        }
        if (length != dims) {
            throw new IllegalArgumentException("field [" + field + "] has dims [" + dims + "] but token vector [" + token
                    + "] has [" + length + "] numbers");
        }
        if (squares == 0) {
            throw new IllegalArgumentException("field [" + field + "]: token vector [" + token
                    + "] is all zeros; it has no direction, so no cosine with it exists");
        }
    }
}
