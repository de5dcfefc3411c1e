package org.elmosearch.bench;

import org.elmosearch.elmo.ElmoOptions;
import org.elmosearch.elmo.WeightPrecision;

/**
 * Analytic multiply-add counts of one ELMo token, by stage. The char CNN, highway and projection run once per
 * distinct token; the LSTM once per position (sentence markers included). The char CNN's cost depends on how many
 * character positions it reads: all {@code max_characters_per_token} nominally, fewer in practice (see
 * {@link org.elmosearch.elmo.ElmoEncoder#charCnnPositions}).
 *
 * @param options          the model's options
 * @param highway          multiply-adds of the highway layers and the projection
 * @param lstmPerLayer     of one LSTM layer, both directions, for one position
 * @param lstmLayers       number of LSTM layers
 * @param recurrentWeights number of recurrent weights (state kernel and output projection) read at every time step
 */
public record ModelCost(ElmoOptions options, long highway, long lstmPerLayer, int lstmLayers, long recurrentWeights) {

    public static ModelCost of(ElmoOptions o) {
        long f = o.filterTotal();
        long p = o.projectionDim();
        long c = o.cellDim();
        long highway = o.highwayLayers() * f * 2 * f + (f == p ? 0 : f * p);
        long projection = p == c ? 0 : c * p;
        long perDirection = 2 * p * 4 * c + projection;
        long recurrent = (long) o.lstmLayers() * 2 * (p * 4 * c + projection);
        return new ModelCost(o, highway, 2 * perDirection, o.lstmLayers(), recurrent);
    }

    /** Multiply-adds of the char CNN for one token read over {@code positions} character positions. */
    public long charCnn(int positions) {
        long e = options.charEmbeddingDim();
        long cnn = 0;
        for (ElmoOptions.Filter f : options.filters()) {
            cnn += (long) f.count() * f.width() * e * (positions - f.width() + 1);
        }
        return cnn;
    }

    /** Bytes of recurrent weights read at every time step when they are stored in this precision. */
    public long recurrentBytes(WeightPrecision precision) {
        return recurrentWeights * (precision == WeightPrecision.INT8 ? Byte.BYTES : Float.BYTES);
    }

    /** Multiply-adds of one token through the whole model, the char CNN over all its character positions. */
    public long perToken() {
        return charCnn(options.maxCharactersPerToken()) + highway + lstmPerLayer * lstmLayers;
    }

    /**
     * Floating-point operations (2 per multiply-add) of a run: {@code distinctTokens} through the char CNN (over
     * {@code charPositions}), highway and projection, {@code positions} through the LSTM.
     */
    public double flops(long distinctTokens, int charPositions, long positions) {
        return 2.0 * ((charCnn(charPositions) + highway) * distinctTokens + lstmPerLayer * lstmLayers * positions);
    }
}
