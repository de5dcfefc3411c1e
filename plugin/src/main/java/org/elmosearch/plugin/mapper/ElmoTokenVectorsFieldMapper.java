package org.elmosearch.plugin.mapper;

import org.apache.lucene.search.Query;
import org.elasticsearch.common.xcontent.support.XContentMapValues;
import org.elasticsearch.index.mapper.ArraySourceValueFetcher;
import org.elasticsearch.index.mapper.DocumentParserContext;
import org.elasticsearch.index.mapper.FieldMapper;
import org.elasticsearch.index.mapper.IndexType;
import org.elasticsearch.index.mapper.MappedFieldType;
import org.elasticsearch.index.mapper.MapperBuilderContext;
import org.elasticsearch.index.mapper.MapperParsingException;
import org.elasticsearch.index.mapper.ValueFetcher;
import org.elasticsearch.index.query.SearchExecutionContext;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;
import org.elmosearch.lucene.TokenVectorEncoding;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code {"type": "elmo_token_vectors", "dims": D, "encoding": "float32" | "int8", "max_tokens": 512}}: one
 * document's ELMo token vectors, {@code [[...D numbers...], ...]}, for the {@code elmo} rescorer's MaxSim mode.
 *
 * <p>Stored as one binary doc value per document, encoded by analysis' {@link TokenVectorEncoding} (so plain Lucene's
 * {@code MaxSimRescorer} reads the same bytes); not indexed, so not searchable itself. Vectors are scaled to unit
 * length on index, making each MaxSim term a cosine; only the first {@code max_tokens} are kept, the rest dropped
 * (the {@code elmo} processor truncates texts the same way); {@code _source} keeps what was sent.
 */
public final class ElmoTokenVectorsFieldMapper extends FieldMapper {

    public static final String CONTENT_TYPE = "elmo_token_vectors";

    public static final TypeParser PARSER = new TypeParser((name, context) -> new Builder(name));

    public static final class Builder extends FieldMapper.Builder {

        // Required: null until set; validated below with the field's name.
        private final Parameter<Integer> dims = new Parameter<>("dims", false, () -> null,
                (n, c, o) -> integer(n, "dims", o), m -> type(m).format().dims(), XContentBuilder::field, Objects::toString)
                .addValidator(d -> {
                    if (d == null) {
                        throw new MapperParsingException("field [" + leafName() + "] of type [" + CONTENT_TYPE + "] needs [dims]");
                    }
                });
        private final Parameter<TokenVectorEncoding> encoding = new Parameter<>("encoding", false, () -> TokenVectorEncoding.FLOAT32,
                (n, c, o) -> encoding(n, o), m -> type(m).format().encoding(),
                (b, n, v) -> b.field(n, v.jsonName()), TokenVectorEncoding::jsonName);
        // Updatable: the cap only decides what new documents keep.
        private final Parameter<Integer> maxTokens = new Parameter<>("max_tokens", true, () -> TokenVectorsFormat.DEFAULT_MAX_TOKENS,
                (n, c, o) -> integer(n, "max_tokens", o), m -> type(m).format().maxTokens(), XContentBuilder::field, Objects::toString);
        private final Parameter<Map<String, String>> meta = Parameter.metaParam();

        public Builder(String name) {
            super(name);
        }

        @Override
        protected Parameter<?>[] getParameters() {
            return new Parameter<?>[] {dims, encoding, maxTokens, meta};
        }

        @Override
        public String contentType() {
            return CONTENT_TYPE;
        }

        @Override
        public ElmoTokenVectorsFieldMapper build(MapperBuilderContext context) {
            if (dims.getValue() == null) {
                throw new MapperParsingException("field [" + leafName() + "] of type [" + CONTENT_TYPE + "] needs [dims]");
            }
            TokenVectorsFormat format;
            try {
                format = new TokenVectorsFormat(dims.getValue(), encoding.getValue(), maxTokens.getValue());
            } catch (IllegalArgumentException e) {
                throw new MapperParsingException("field [" + leafName() + "] of type [" + CONTENT_TYPE + "]: " + e.getMessage());
            }
            return new ElmoTokenVectorsFieldMapper(leafName(),
                    new FieldType(context.buildFullName(leafName()), format, meta.getValue()), builderParams(this, context));
        }

        private static Integer integer(String field, String parameter, Object value) {
            try {
                if (value instanceof Number || value instanceof String) {
                    return XContentMapValues.nodeIntegerValue(value);
                }
            } catch (IllegalArgumentException e) {
                // reported below, naming the field
            }
            throw new MapperParsingException("[" + parameter + "] on field [" + field + "] must be an integer, got [" + value + "]");
        }

        private static TokenVectorEncoding encoding(String field, Object value) {
            try {
                return TokenVectorEncoding.parse(XContentMapValues.nodeStringValue(value));
            } catch (IllegalArgumentException e) {
                throw new MapperParsingException("[encoding] on field [" + field + "]: " + e.getMessage());
            }
        }
    }

    /** The field as search sees it: doc values only, read by the {@code elmo} rescorer. */
    public static final class FieldType extends MappedFieldType {

        private final TokenVectorsFormat format;

        public FieldType(String name, TokenVectorsFormat format, Map<String, String> meta) {
            super(name, IndexType.docValuesOnly(), false, meta);
            this.format = Objects.requireNonNull(format);
        }

        public TokenVectorsFormat format() {
            return format;
        }

        @Override
        public String typeName() {
            return CONTENT_TYPE;
        }

        /** Doc values only, but no query reads them: only the rescorer and {@code exists} use the field. */
        @Override
        public boolean isSearchable() {
            return false;
        }

        @Override
        public boolean isAggregatable() {
            return false;
        }

        @Override
        public ValueFetcher valueFetcher(SearchExecutionContext context, String format) {
            if (format != null) {
                throw new IllegalArgumentException("field [" + name() + "] of type [" + CONTENT_TYPE + "] does not support formats");
            }
            // The fields API returns the vectors as sent: one array per token.
            return new ArraySourceValueFetcher(name(), context) {
                @Override
                protected Object parseSourceValue(Object value) {
                    return value instanceof List<?> list ? list : List.of(value);
                }
            };
        }

        @Override
        public Query termQuery(Object value, SearchExecutionContext context) {
            throw new IllegalArgumentException("field [" + name() + "] of type [" + CONTENT_TYPE
                    + "] is not searchable; use it in the [elmo] rescorer with \"mode\": \"maxsim\"");
        }
    }

    private ElmoTokenVectorsFieldMapper(String simpleName, FieldType type, BuilderParams params) {
        super(simpleName, type, params);
    }

    private static FieldType type(FieldMapper mapper) {
        return ((ElmoTokenVectorsFieldMapper) mapper).fieldType();
    }

    @Override
    public FieldType fieldType() {
        return (FieldType) super.fieldType();
    }

    /** The whole {@code [[...], ...]} value comes to {@link #parse}, not one number at a time. */
    @Override
    public boolean parsesArrayValue() {
        return true;
    }

    /**
     * Overridden rather than {@link #parseCreateField} so that a mistake reaches the client as our message, not as
     * a preview of the (possibly megabytes long) value.
     */
    @Override
    public void parse(DocumentParserContext context) throws IOException {
        XContentParser parser = context.parser();
        if (parser.currentToken() == XContentParser.Token.VALUE_NULL) {
            return;
        }
        String name = fieldType().name();
        if (context.doc().getByKey(name) != null) {
            throw new IllegalArgumentException("field [" + name + "] of type [" + CONTENT_TYPE
                    + "] takes one array of token vectors per document; it was given twice");
        }
        float[][] vectors = TokenVectorsParser.read(parser, name, fieldType().format());
        if (vectors.length > 0) {
            context.doc().addWithKey(name, fieldType().format().encoding().field(name, vectors));
        }
    }

    @Override
    protected void parseCreateField(DocumentParserContext context) {
        throw new UnsupportedOperationException("parsed by parse()");
    }

    @Override
    public FieldMapper.Builder getMergeBuilder() {
        return new Builder(leafName()).init(this);
    }

    @Override
    protected String contentType() {
        return CONTENT_TYPE;
    }
}
