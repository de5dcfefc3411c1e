package org.elmosearch.embed;

import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.Pooling;
import org.elmosearch.elmo.ScalarMix;
import org.elmosearch.elmo.SyntheticModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElmoEmbedderTest {

    private static ElmoEncoder encoder;
    private static ElmoEmbedder embedder;
    private static EmbeddingOptions defaults;

    @BeforeAll
    static void load() {
        encoder = new ElmoEncoder(ElmoModel.fromWeights(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 7)), 1);
        embedder = new ElmoEmbedder(encoder);
        defaults = EmbeddingOptions.defaults(encoder.options());
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void aTextGetsTheSameVectorAloneAndInsideALargerRequest() {
        String text = "The bank of the river was muddy.";
        float[] alone = embedder.embed(List.of(text), defaults).get(0).vector();
        List<String> many = new ArrayList<>();
        IntStream.range(0, 70).forEach(i -> many.add("filler sentence number " + i + " with a few more words than usual to pad it out ."));
        many.add(37, text);
        List<EmbeddedText> out = embedder.embed(many, defaults);
        assertEquals(71, out.size());
        assertArrayEquals(alone, out.get(37).vector(), 1e-6f);
        assertEquals("The", out.get(37).tokens().get(0).text());
    }

    @Test
    void theVectorIsTheMixedTokenVectorsPooledAndNormalized() {
        EmbeddedText e = embedder.embed(List.of("Don't stop the music!"), defaults).get(0);
        assertEquals(List.of("Don", "'t", "stop", "the", "music", "!"), e.tokens().stream().map(t -> t.text()).toList());
        assertEquals(6, e.tokenVectors().length);
        float[] expected = Pooling.l2Normalize(Pooling.MEAN.pool(e.tokenVectors()));
        assertArrayEquals(expected, e.vector(), 1e-6f);
        double norm = 0;
        for (float v : e.vector()) {
            norm += v * v;
        }
        assertEquals(1.0, norm, 1e-5);
    }

    @Test
    void textsTokenizedByTheCallerGiveTheSameResultAsRawTexts() {
        List<String> texts = List.of("one two three four five", "Don't stop the music!", "");
        EmbeddingOptions cut = defaults.withMaxTokens(4);
        List<EmbeddedText> raw = embedder.embed(texts, cut);
        List<EmbeddedText> tokenized = embedder.embedTokenized(texts.stream().map(embedder.tokenizer()::tokenize).toList(), cut);
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(raw.get(i).tokens(), tokenized.get(i).tokens());
            assertEquals(raw.get(i).truncated(), tokenized.get(i).truncated());
            assertArrayEquals(raw.get(i).vector(), tokenized.get(i).vector());
        }
    }

    @Test
    void theMixDecidesWhichLayersCount() {
        String text = "river bank";
        TextLayers layers = embedder.layers(List.of(text), 10).get(0);
        float[][] top = embedder.embed(List.of(text), defaults.withMix(ScalarMix.top(3)).withNormalize(false)).get(0).tokenVectors();
        assertArrayEquals(layers.layers()[2][1], top[1], 0f);
        assertThrows(IllegalArgumentException.class, () -> embedder.embed(List.of(text), defaults.withMix(ScalarMix.of(1, 1))));
    }

    @Test
    void aLongTextIsCutToMaxTokensAndMarkedTruncated() {
        EmbeddedText e = embedder.embed(List.of("one two three four five"), defaults.withMaxTokens(3)).get(0);
        assertTrue(e.truncated());
        assertEquals(3, e.tokens().size());
        assertFalse(embedder.embed(List.of("one two three"), defaults.withMaxTokens(3)).get(0).truncated());
    }

    @Test
    void aTextWithoutTokensHasNoVector() {
        List<EmbeddedText> out = embedder.embed(List.of("", "  \n\t ", "word"), defaults);
        assertTrue(out.get(0).isEmpty());
        assertNull(out.get(0).vector());
        assertNull(out.get(1).vector());
        assertEquals(encoder.options().outputDim(), out.get(2).vector().length);
    }
}
