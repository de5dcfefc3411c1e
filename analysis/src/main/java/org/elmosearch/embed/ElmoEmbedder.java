package org.elmosearch.embed;

import org.elmosearch.analysis.TextTokenizer;
import org.elmosearch.analysis.Token;
import org.elmosearch.elmo.ElmoEncoder;
import org.elmosearch.elmo.ElmoOptions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Raw text in, vectors out: tokenizes, runs the biLM in length-sorted batches (so short texts are not padded to
 * the longest of the whole request), mixes the layers and pools. Thread-safe; shares the encoder.
 */
public final class ElmoEmbedder {

    /** Upper bounds on one encoder run; a batch padded to its longest sentence stays within both. */
    static final int MAX_BATCH_SENTENCES = 32;
    static final int MAX_BATCH_ROWS = 8192;

    private final ElmoEncoder encoder;
    private final TextTokenizer tokenizer;

    public ElmoEmbedder(ElmoEncoder encoder) {
        this(encoder, TextTokenizer.standard());
    }

    public ElmoEmbedder(ElmoEncoder encoder, TextTokenizer tokenizer) {
        this.encoder = encoder;
        this.tokenizer = tokenizer;
    }

    public ElmoOptions options() {
        return encoder.options();
    }

    /** Width of every vector (2P). */
    public int dimension() {
        return encoder.options().outputDim();
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Mixed token vectors and the pooled vector of each text, in input order. */
    public List<EmbeddedText> embed(List<String> texts, EmbeddingOptions options) {
        return embedTokenized(texts.stream().map(tokenizer::tokenize).toList(), options);
    }

    /** As {@link #embed(List, EmbeddingOptions)}, for texts the caller already split with {@link #tokenizer()}. */
    public List<EmbeddedText> embedTokenized(List<List<Token>> texts, EmbeddingOptions options) {
        options.mix().checkLayers(encoder.options().outputLayers());
        List<TextLayers> all = layersOfTokenized(texts, options.maxTokens());
        List<EmbeddedText> out = new ArrayList<>(all.size());
        for (TextLayers text : all) {
            out.add(embed(text, options));
        }
        return out;
    }

    /**
     * Mixes and pools layers already computed, e.g. for tokens that did not come from the tokenizer
     * ({@link #layersOfTokens}); {@code options.maxTokens()} does not apply here.
     */
    public static EmbeddedText embed(TextLayers text, EmbeddingOptions options) {
        float[][] tokenVectors = options.mix().apply(text.layers());
        float[] vector = options.pool(tokenVectors);
        return new EmbeddedText(text.tokens(), text.truncated(), tokenVectors, vector);
    }

    /** Every layer of each text, in input order, texts cut to {@code maxTokens} tokens. */
    public List<TextLayers> layers(List<String> texts, int maxTokens) {
        return layersOfTokenized(texts.stream().map(tokenizer::tokenize).toList(), maxTokens);
    }

    /** As {@link #layers}, for texts tokenized elsewhere (e.g. given pre-tokenized): each cut to {@code maxTokens}. */
    public List<TextLayers> layersOfTokenized(List<List<Token>> texts, int maxTokens) {
        List<List<Token>> tokens = new ArrayList<>(texts.size());
        boolean[] truncated = new boolean[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            List<Token> all = texts.get(i);
            truncated[i] = all.size() > maxTokens;
            tokens.add(truncated[i] ? all.subList(0, maxTokens) : all);
        }
        List<float[][][]> layers = layersOfTokens(tokens.stream().map(ts -> ts.stream().map(Token::text).toList()).toList());
        List<TextLayers> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            out.add(new TextLayers(tokens.get(i), truncated[i], layers.get(i)));
        }
        return out;
    }

    /** Every layer of each pre-tokenized sentence, in input order; batches are formed by length. */
    public List<float[][][]> layersOfTokens(List<List<String>> sentences) {
        Integer[] order = new Integer[sentences.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt(i -> sentences.get(i).size()));
        float[][][][] results = new float[sentences.size()][][][];
        int start = 0;
        while (start < order.length) {
            int end = start + 1;
            while (end < order.length && end - start < MAX_BATCH_SENTENCES
                    && (end - start + 1) * (sentences.get(order[end]).size() + 2) <= MAX_BATCH_ROWS) {
                end++;
            }
            List<List<String>> batch = new ArrayList<>(end - start);
            for (int k = start; k < end; k++) {
                batch.add(sentences.get(order[k]));
            }
            List<float[][][]> encoded = encoder.encode(batch).layers();
            for (int k = start; k < end; k++) {
                results[order[k]] = encoded.get(k - start);
            }
            start = end;
        }
        return Arrays.asList(results);
    }
}
