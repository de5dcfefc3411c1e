package org.elmosearch.elmo;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The char CNN of {@link ElmoEncoder#encode} sees only as many character positions as a batch's longest new token
 * needs; its token embeddings must be those of the full {@code max_characters_per_token} positions.
 */
class CharCnnWidthTest {

    @Test
    void tokenEmbeddingsOverTheNeededPositionsEqualThoseOverAllPositions() {
        // The tiny preset's widest filter spans 5 characters, more than the framed short words here: the case that needs care.
        ElmoModel model = ElmoModel.fromWeights(SyntheticModel.randomWeights(SyntheticModel.Preset.TINY.options(), 9));
        List<List<String>> batches = new ArrayList<>();
        batches.add(List.of("a", "I", ".", "of"));                                   // all shorter than one filter
        batches.add(List.of("the", "riverbank", "naïve", "東京", "🙂"));              // multi-byte characters
        batches.add(List.of("x".repeat(44), "y".repeat(47), "z".repeat(48), "w".repeat(60))); // at and past the 50-id cut
        try (ElmoEncoder encoder = new ElmoEncoder(model, 1, 0)) {
            for (List<String> sentence : batches) {
                float[][][] narrow = encoder.encode(List.of(sentence)).layers().get(0);
                Map<String, float[]> full = encoder.run(List.of(sentence), null, Set.of(ElmoEncoder.TOKEN_EMBEDDING));
                float[] fullEmbedding = full.get(ElmoEncoder.TOKEN_EMBEDDING);
                int p = model.options().projectionDim();
                for (int t = 0; t < sentence.size(); t++) {
                    for (int d = 0; d < p; d++) {
                        // Layer 0 is the token embedding twice over; run() keeps the <S> row, hence t + 1.
                        assertEquals(fullEmbedding[(t + 1) * p + d], narrow[0][t][d], 1e-6f, sentence.get(t) + " dimension " + d);
                    }
                }
            }
        }
    }

    @Test
    void aTokenIsFramedByItsWordMarkers() {
        CharacterMapper mapper = new CharacterMapper(50);
        assertEquals(5, CharacterMapper.framedLength(mapper.tokenIds("the")));
        assertEquals(3, CharacterMapper.framedLength(mapper.tokenIds(CharacterMapper.BOS_TOKEN)));
        assertEquals(8, CharacterMapper.framedLength(mapper.tokenIds("東京")));
        assertEquals(50, CharacterMapper.framedLength(mapper.tokenIds("w".repeat(60))));
        assertTrue(SyntheticModel.Preset.TINY.options().filters().stream().anyMatch(f -> f.width() == 5));
    }
}
