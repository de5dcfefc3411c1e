package org.elmosearch.bench;

import org.elmosearch.elmo.ElmoOptions;
import org.elmosearch.elmo.WeightPrecision;

/**
 * Analytic multiply-add counts of one ELMo token, by stage. The char CNN, highway and projection run once per
 * distinct token; the LSTM once per position (sentence markers included).
 *
 * @param charCnn       multiply-adds of the char CNN for one token
 * @param highway       of the highway layers and the projection
 * @param lstmPerLayer  of one LSTM layer, both directions, for one position
 * @param lstmLayers    number of LSTM layers
 * @param recurrentWeights number of recurrent weights (state kernel and output projection) read at every time step
 */
public record ModelCost(long charCnn, long highway, long lstmPerLayer, int lstmLayers, long recurrentWeights) {

    public static ModelCost of(ElmoOptions o) {
        long e = o.charEmbeddingDim();
        long w = o.maxCharactersPerToken();
        long cnn = 0;
        for (ElmoOptions.Filter f : o.filters()) {
            cnn += (long) f.count() * f.width() * e * (w - f.width() + 1);
        }
        long f = o.filterTotal();
        long p = o.projectionDim();
        long c = o.cellDim();
        long highway = o.highwayLayers() * f * 2 * f + (f == p ? 0 : f * p);
        long projection = p == c ? 0 : c * p;
        long perDirection = 2 * p * 4 * c + projection;
        long recurrent = (long) o.lstmLayers() * 2 * (p * 4 * c + projection);
        return new ModelCost(cnn, highway, 2 * perDirection, o.lstmLayers(), recurrent);
    }

    /** Bytes of recurrent weights read at every time step when they are stored in this precision. */
    public long recurrentBytes(WeightPrecision precision) {
        return recurrentWeights * (precision == WeightPrecision.INT8 ? Byte.BYTES : Float.BYTES);
    }

    /** Multiply-adds of one token through the whole model. */
    public long perToken() {
        return charCnn + highway + lstmPerLayer * lstmLayers;
    }

    /** Floating-point operations (2 per multiply-add) of a run with these distinct tokens and positions. */
    public double flops(long distinctTokens, long positions) {
        return 2.0 * ((charCnn + highway) * distinctTokens + lstmPerLayer * lstmLayers * positions);
    }
}
