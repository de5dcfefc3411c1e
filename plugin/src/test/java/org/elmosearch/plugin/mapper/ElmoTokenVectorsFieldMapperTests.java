package org.elmosearch.plugin.mapper;

import org.apache.lucene.document.LateInteractionField;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.util.BytesRef;
import org.elasticsearch.index.mapper.DocumentMapper;
import org.elasticsearch.index.mapper.DocumentParsingException;
import org.elasticsearch.index.mapper.MappedFieldType;
import org.elasticsearch.index.mapper.MapperParsingException;
import org.elasticsearch.index.mapper.MapperTestCase;
import org.elasticsearch.index.mapper.ParsedDocument;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.lucene.MaxSimValuesSource;
import org.elmosearch.lucene.TokenVectorEncoding;
import org.elmosearch.plugin.ElmoPlugin;
import org.junit.AssumptionViolatedException;

import java.io.IOException;
import java.util.Collection;
import java.util.List;

import static org.hamcrest.Matchers.containsString;

/**
 * The {@code elmo_token_vectors} field: Elasticsearch's generic mapper checks, plus what this type promises — the
 * doc value is exactly analysis' encoding of the unit-length vectors, the cap drops later tokens, and every mistake
 * names the field and the problem.
 */
public class ElmoTokenVectorsFieldMapperTests extends MapperTestCase {

    private static final int DIMS = 4;

    @Override
    protected Collection<? extends Plugin> getPlugins() {
        return List.of(new ElmoPlugin());
    }

    @Override
    protected void minimalMapping(XContentBuilder b) throws IOException {
        b.field("type", "elmo_token_vectors").field("dims", DIMS);
    }

    @Override
    protected Object getSampleValueForDocument() {
        return List.of(List.of(1f, 0f, 0f, 0f), List.of(0.5f, 0.5f, -0.5f, 0.5f));
    }

    @Override
    protected boolean supportsIgnoreMalformed() {
        return false;
    }

    @Override
    protected void registerParameters(ParameterChecker checker) throws IOException {
        checker.registerConflictCheck("dims", fieldMapping(this::minimalMapping),
                fieldMapping(b -> b.field("type", "elmo_token_vectors").field("dims", DIMS + 1)));
        checker.registerConflictCheck("encoding", b -> b.field("encoding", "int8"));
        checker.registerUpdateCheck("max_tokens", b -> {
            minimalMapping(b);
            b.field("max_tokens", 8);
        }, b -> {
            minimalMapping(b);
            b.field("max_tokens", 16);
        }, m -> assertEquals(16, ((ElmoTokenVectorsFieldMapper) m).fieldType().format().maxTokens()));
    }

    @Override
    protected boolean supportsStoredFields() {
        return false;
    }

    @Override
    protected boolean supportsSearchLookup() {
        return false;
    }

    @Override
    protected boolean supportsDocValuesSkippers() {
        return false;
    }

    @Override
    protected Object generateRandomInputValue(MappedFieldType ft) {
        throw new AssumptionViolatedException("no doc-value fetching: the vectors come back from _source as sent");
    }

    @Override
    protected SyntheticSourceSupport syntheticSourceSupport(boolean ignoreMalformed) {
        throw new AssumptionViolatedException("synthetic _source is out of scope: the field falls back to keeping its source");
    }

    @Override
    protected IngestScriptSupport ingestScriptSupport() {
        throw new AssumptionViolatedException("no scripts");
    }

    @Override
    protected List<SortShortcutSupport> getSortShortcutSupport() {
        return List.of();
    }

    private DocumentMapper mapper(String extra) throws IOException {
        return createDocumentMapper(fieldMapping(b -> {
            minimalMapping(b);
            if (extra.equals("int8")) {
                b.field("encoding", "int8");
            } else if (!extra.isEmpty()) {
                b.field("max_tokens", Integer.parseInt(extra));
            }
        }));
    }

    private static BytesRef docValue(ParsedDocument doc) {
        IndexableField field = doc.rootDoc().getField("field");
        return field == null ? null : field.binaryValue();
    }

    private static float[][] unit(float[][] vectors) {
        return Pooling.l2NormalizedCopies(vectors);
    }

    public void testFloat32StoresLuceneLateInteractionPayloadOfUnitVectors() throws IOException {
        float[][] sent = {{3, 0, 4, 0}, {1, 1, 1, 1}};
        ParsedDocument doc = mapper("").parse(source(b -> b.field("field", sent)));
        assertTrue(doc.rootDoc().getField("field") instanceof LateInteractionField);
        assertEquals(LateInteractionField.encode(unit(sent)), docValue(doc));
        assertArrayEquals(new float[] {0.6f, 0, 0.8f, 0}, TokenVectorEncoding.decode(docValue(doc))[0], 1e-7f);
    }

    public void testInt8StoresAnalysisInt8EncodingAQuarterOfTheSize() throws IOException {
        float[][] sent = {{3, 0, 4, 0}, {1, 1, 1, 1}, {-2, 1, 0, 0.5f}};
        BytesRef int8 = docValue(mapper("int8").parse(source(b -> b.field("field", sent))));
        assertEquals(TokenVectorEncoding.INT8.encode(unit(sent)), int8);
        assertEquals(4 + 3 * (4 + DIMS), int8.length);
        float[][] decoded = TokenVectorEncoding.decode(int8);
        for (int t = 0; t < sent.length; t++) {
            assertArrayEquals(unit(sent)[t], decoded[t], 1e-2f);
        }
    }

    public void testIdenticalVectorsGiveMaxSimEqualToTheNumberOfQueryTokens() throws IOException {
        float[][] sent = {{0.3f, -1.2f, 2, 0.1f}, {5, 4, 3, 2}, {-1, -1, 0.5f, 0}};
        float[][] stored = TokenVectorEncoding.decode(docValue(mapper("").parse(source(b -> b.field("field", sent)))));
        assertEquals(3f, MaxSimValuesSource.score(unit(sent), stored), 1e-5f);
    }

    public void testTokensPastMaxTokensAreDroppedButStillChecked() throws IOException {
        float[][] sent = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
        float[][] stored = TokenVectorEncoding.decode(docValue(mapper("2").parse(source(b -> b.field("field", sent)))));
        assertEquals(2, stored.length);
        assertArrayEquals(sent[1], stored[1], 0f);
        Exception e = expectThrows(DocumentParsingException.class,
                () -> mapper("2").parse(source(b -> b.field("field", new float[][] {{1, 0, 0, 0}, {1, 0, 0, 0}, {1, 0}}))));
        assertThat(e.getMessage(), containsString("field [field] has dims [4] but token vector [2] has [2] numbers"));
    }

    public void testAWrongLengthNamesTheFieldTheDimsAndTheLength() throws IOException {
        Exception e = expectThrows(DocumentParsingException.class,
                () -> mapper("").parse(source(b -> b.field("field", new float[][] {{1, 0, 0, 0}, {1, 0, 0, 0, 0, 0}}))));
        assertThat(e.getMessage(), containsString("field [field] has dims [4] but token vector [1] has [6] numbers"));
    }

    public void testAFlatVectorIsRefusedAsNotOneArrayPerToken() throws IOException {
        Exception e = expectThrows(DocumentParsingException.class,
                () -> mapper("").parse(source(b -> b.field("field", new float[] {1, 0, 0, 0}))));
        assertThat(e.getMessage(), containsString("field [field]: token vector [0] must be an array of [4] numbers"));
        e = expectThrows(DocumentParsingException.class, () -> mapper("").parse(source(b -> b.field("field", "text"))));
        assertThat(e.getMessage(), containsString("field [field] of type [elmo_token_vectors] must be an array of token vectors"));
    }

    public void testNonNumbersNonFiniteNumbersAndZeroVectorsAreRefused() throws IOException {
        Exception e = expectThrows(DocumentParsingException.class,
                () -> mapper("").parse(source(b -> b.field("field", List.of(List.of(1, "x", 0, 0))))));
        assertThat(e.getMessage(), containsString("token vector [0] holds [VALUE_STRING] at index [1]"));
        e = expectThrows(DocumentParsingException.class,
                () -> mapper("").parse(source(b -> b.field("field", List.of(List.of(1, 1e300, 0, 0))))));
        assertThat(e.getMessage(), containsString("token vector [0] holds a non-finite number"));
        e = expectThrows(DocumentParsingException.class,
                () -> mapper("").parse(source(b -> b.field("field", new float[][] {{0, 0, 0, 0}}))));
        assertThat(e.getMessage(), containsString("token vector [0] is all zeros"));
    }

    public void testAnEmptyArrayOrNullIndexesNoVectors() throws IOException {
        assertNull(docValue(mapper("").parse(source(b -> b.field("field", new float[0][])))));
        assertNull(docValue(mapper("").parse(source(b -> b.nullField("field")))));
    }

    public void testSourceKeepsWhatWasSent() throws IOException {
        float[][] sent = {{3, 0, 4, 0}};
        ParsedDocument doc = mapper("").parse(source(b -> b.field("field", sent)));
        assertThat(doc.source().originalBytes().utf8ToString(), containsString("[[3.0,0.0,4.0,0.0]]"));
    }

    public void testMappingMistakesNameTheFieldAndTheParameter() {
        Exception e = expectThrows(MapperParsingException.class,
                () -> createMapperService(fieldMapping(b -> b.field("type", "elmo_token_vectors"))));
        assertThat(e.getMessage(), containsString("field [field] of type [elmo_token_vectors] needs [dims]"));
        e = expectThrows(MapperParsingException.class,
                () -> createMapperService(fieldMapping(b -> b.field("type", "elmo_token_vectors").field("dims", 5000))));
        assertThat(e.getMessage(), containsString("[dims] must be between 1 and 4096, got [5000]"));
        e = expectThrows(MapperParsingException.class,
                () -> createMapperService(fieldMapping(b -> b.field("type", "elmo_token_vectors").field("dims", 0))));
        assertThat(e.getMessage(), containsString("[dims] must be between 1 and 4096, got [0]"));
        e = expectThrows(MapperParsingException.class, () -> createMapperService(fieldMapping(b -> {
            minimalMapping(b);
            b.field("encoding", "int4");
        })));
        assertThat(e.getMessage(), containsString("unknown token-vector encoding 'int4', expected one of [float32, int8]"));
        e = expectThrows(MapperParsingException.class, () -> createMapperService(fieldMapping(b -> {
            minimalMapping(b);
            b.field("max_tokens", 0);
        })));
        assertThat(e.getMessage(), containsString("[max_tokens] must be between 1 and 4096, got [0]"));
        e = expectThrows(MapperParsingException.class,
                () -> createMapperService(fieldMapping(b -> b.field("type", "elmo_token_vectors").field("dims", "wide"))));
        assertThat(e.getMessage(), containsString("[dims]"));
    }

    public void testTheFieldIsNotSearchable() throws IOException {
        MappedFieldType type = createMapperService(fieldMapping(this::minimalMapping)).fieldType("field");
        assertFalse(type.isSearchable());
        assertTrue(type.hasDocValues());
        Exception e = expectThrows(IllegalArgumentException.class, () -> type.termQuery("x", null));
        assertThat(e.getMessage(), containsString("use it in the [elmo] rescorer with \"mode\": \"maxsim\""));
    }
}
