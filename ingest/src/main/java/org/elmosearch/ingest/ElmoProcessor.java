package org.elmosearch.ingest;

import org.elasticsearch.action.ActionListener;
import org.elasticsearch.cluster.metadata.ProjectId;
import org.elasticsearch.ingest.AbstractProcessor;
import org.elasticsearch.ingest.ConfigurationUtils;
import org.elasticsearch.ingest.IngestDocument;
import org.elasticsearch.ingest.Processor;
import org.elmosearch.analysis.TextTokenizer;
import org.elmosearch.embed.EmbeddedText;
import org.elmosearch.node.EmbeddingBatcher;
import org.elmosearch.node.EmbeddingSpec;
import org.elmosearch.node.ModelId;
import org.elmosearch.node.UnknownOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Writes the ELMo vector of a text field into the document, optionally its token vectors (for an {@code
 * elmo_token_vectors} field and MaxSim), and optionally the field's passages with their vectors. Asynchronous:
 * documents queue in the node's {@link EmbeddingBatcher}, so a bulk request is embedded in batches. A document this
 * processor cannot embed fails alone. For a model with token statistics the vector and the token vectors are its
 * ranking vectors, unless the pipeline names mix, pooling or normalize ({@code LoadedModel#vectorRanking}): the rule
 * the query vector builder and the rescorer follow too.
 */
public final class ElmoProcessor extends AbstractProcessor {

    public static final String TYPE = "elmo";

    /** What to do with a text longer than {@code max_tokens}. */
    public enum Overflow {
        TRUNCATE, FAIL
    }

    /**
     * Where and how passages are written; null when the processor writes none.
     *
     * @param tokenVectorsField the key, inside each passage object, of the passage's token vectors; null for none
     */
    public record PassageConfig(String targetField, int maxTokens, int overlapTokens, String tokenVectorsField) {
    }

    private final String modelId;
    private final String field;
    private final String targetField;
    private final String tokenVectorsField;
    private final EmbeddingSpec spec;
    private final boolean ignoreMissing;
    private final Overflow onOverflow;
    private final String truncatedField;
    private final PassageConfig passages;
    private final EmbeddingBatcher batcher;

    ElmoProcessor(String tag, String description, String modelId, String field, String targetField, String tokenVectorsField,
                  EmbeddingSpec spec, boolean ignoreMissing, Overflow onOverflow, String truncatedField, PassageConfig passages,
                  EmbeddingBatcher batcher) {
        super(tag, description);
        this.modelId = modelId;
        this.field = field;
        this.targetField = targetField;
        this.tokenVectorsField = tokenVectorsField;
        this.spec = spec;
        this.ignoreMissing = ignoreMissing;
        this.onOverflow = onOverflow;
        this.truncatedField = truncatedField;
        this.passages = passages;
        this.batcher = batcher;
    }

    @Override
    public String getType() {
        return TYPE;
    }

    @Override
    public boolean isAsync() {
        return true;
    }

    String modelId() {
        return modelId;
    }

    String targetField() {
        return targetField;
    }

    String tokenVectorsField() {
        return tokenVectorsField;
    }

    EmbeddingSpec spec() {
        return spec;
    }

    PassageConfig passages() {
        return passages;
    }

    @Override
    public void execute(IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
        List<String> texts;
        boolean isArray;
        try {
            Object value = document.getFieldValue(field, Object.class, ignoreMissing);
            if (value == null) {
                if (ignoreMissing) {
                    handler.accept(document, null);
                    return;
                }
                throw new IllegalArgumentException("field [" + field + "] is null, there is no text to embed");
            }
            isArray = value instanceof List<?>;
            texts = texts(value);
        } catch (RuntimeException e) {
            handler.accept(null, e);
            return;
        }
        // The values of an array are pooled together from their token vectors.
        batcher.embed(modelId, texts, spec, tokenVectorsField != null || isArray, new ActionListener<>() {
            @Override
            public void onResponse(EmbeddingBatcher.Embeddings embeddings) {
                // Nothing may escape to the batcher, which only logs it: the document would never be answered.
                List<Passages.Passage> cut;
                List<Integer> valueOf = new ArrayList<>();
                try {
                    writeVectors(document, embeddings);
                    cut = passages == null ? null : cutPassages(texts, embeddings.tokenizer(), valueOf);
                } catch (RuntimeException e) {
                    handler.accept(null, e);
                    return;
                }
                if (cut == null) {
                    handler.accept(document, null);
                } else {
                    embedPassages(document, cut, isArray ? valueOf : null, handler);
                }
            }

            @Override
            public void onFailure(Exception e) {
                handler.accept(null, e);
            }
        });
    }

    /**
     * The passages of every value, cut from the tokens the model's tokenizer makes of the whole value; {@code valueOf}
     * receives the index of each passage's value.
     */
    private List<Passages.Passage> cutPassages(List<String> texts, TextTokenizer tokenizer, List<Integer> valueOf) {
        List<Passages.Passage> all = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            for (Passages.Passage p : Passages.split(text, tokenizer.tokenize(text), passages.maxTokens, passages.overlapTokens)) {
                all.add(p);
                valueOf.add(i);
            }
        }
        return all;
    }

    /**
     * @param all     at least one passage: the document's vector was written, so some value has tokens
     * @param valueOf the index of each passage's value, for an array; null for a single text
     */
    private void embedPassages(IngestDocument document, List<Passages.Passage> all, List<Integer> valueOf,
                               BiConsumer<IngestDocument, Exception> handler) {
        EmbeddingSpec passageSpec = new EmbeddingSpec(spec.mix(), spec.pooling(), spec.normalize(), passages.maxTokens);
        boolean tokenVectors = passages.tokenVectorsField != null;
        batcher.embedTokens(modelId, all.stream().map(Passages.Passage::tokens).toList(), passageSpec, tokenVectors, new ActionListener<>() {
            @Override
            public void onResponse(EmbeddingBatcher.Embeddings embedded) {
                finish(() -> {
                    List<Map<String, Object>> out = new ArrayList<>(all.size());
                    for (int k = 0; k < all.size(); k++) {
                        Map<String, Object> passage = new LinkedHashMap<>();
                        passage.put("text", all.get(k).text());
                        passage.put("offset", all.get(k).offset());
                        if (valueOf != null) {
                            passage.put("value", valueOf.get(k));
                        }
                        passage.put("vector", asList(embedded.texts().get(k).vector()));
                        if (tokenVectors) {
                            passage.put(passages.tokenVectorsField, asLists(embedded.tokenVectors(embedded.texts().get(k).tokenVectors())));
                        }
                        out.add(passage);
                    }
                    document.setFieldValue(passages.targetField, out);
                }, document, handler);
            }

            @Override
            public void onFailure(Exception e) {
                handler.accept(null, e);
            }
        });
    }

    private static void finish(Runnable write, IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
        try {
            write.run();
        } catch (RuntimeException e) {
            handler.accept(null, e);
            return;
        }
        handler.accept(document, null);
    }

    /**
     * The document vector (one value's text vector, or the tokens of all values pooled together) and, if asked, its
     * token vectors: the model's ranking vectors where it has token statistics, as queries get them.
     */
    private void writeVectors(IngestDocument document, EmbeddingBatcher.Embeddings embeddings) {
        List<EmbeddedText> texts = embeddings.texts();
        if (texts.stream().allMatch(EmbeddedText::isEmpty)) {
            throw new IllegalArgumentException("field [" + field + "] holds no words to embed");
        }
        boolean truncated = texts.stream().anyMatch(EmbeddedText::truncated);
        if (truncated && onOverflow == Overflow.FAIL) {
            throw new IllegalArgumentException("field [" + field + "] has more than [max_tokens] " + embeddings.options().maxTokens()
                    + " tokens and [on_overflow] is [fail]");
        }
        float[] vector = texts.size() == 1 ? texts.get(0).vector() : embeddings.pooledVector(allTokenVectors(texts, Integer.MAX_VALUE));
        document.setFieldValue(targetField, asList(vector));
        if (tokenVectorsField != null) {
            float[][] mixed = allTokenVectors(texts, embeddings.options().maxTokens());
            document.setFieldValue(tokenVectorsField, asLists(embeddings.tokenVectors(mixed)));
        }
        if (truncatedField != null) {
            document.setFieldValue(truncatedField, truncated);
        }
    }

    /** The mixed token vectors of the texts, the values of an array one after another, at most {@code maxTokens} in all. */
    private static float[][] allTokenVectors(List<EmbeddedText> texts, int maxTokens) {
        List<float[]> all = new ArrayList<>();
        for (EmbeddedText text : texts) {
            for (float[] token : text.tokenVectors()) {
                if (all.size() == maxTokens) {
                    break;
                }
                all.add(token);
            }
        }
        return all.toArray(new float[0][]);
    }

    private List<String> texts(Object value) {
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof List<?> list) {
            List<String> texts = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof String s)) {
                    throw new IllegalArgumentException("field [" + field + "] must hold a string or an array of strings, found ["
                            + typeName(list.get(i)) + "] at index " + i);
                }
                texts.add(s);
            }
            if (texts.isEmpty()) {
                throw new IllegalArgumentException("field [" + field + "] is an empty array, there is no text to embed");
            }
            return texts;
        }
        throw new IllegalArgumentException("field [" + field + "] must hold a string or an array of strings, found [" + typeName(value) + "]");
    }

    private static String typeName(Object value) {
        return value == null ? "null" : value instanceof Map<?, ?> ? "object" : value.getClass().getSimpleName();
    }

    private static List<Float> asList(float[] vector) {
        List<Float> list = new ArrayList<>(vector.length);
        for (float v : vector) {
            list.add(v);
        }
        return list;
    }

    private static List<List<Float>> asLists(float[][] vectors) {
        List<List<Float>> lists = new ArrayList<>(vectors.length);
        for (float[] vector : vectors) {
            lists.add(asList(vector));
        }
        return lists;
    }

    /** Builds {@code elmo} processors from pipeline definitions, refusing unknown and malformed options. */
    public static final class Factory implements Processor.Factory {

        static final List<String> OPTIONS = List.of("model_id", "field", "target_field", "token_vectors_field", "mix", "pooling",
                "normalize", "max_tokens", "ignore_missing", "on_overflow", "truncated_field", "passages");
        static final List<String> PASSAGE_OPTIONS = List.of("target_field", "max_tokens", "overlap_tokens", "token_vectors_field");
        /** What each passage object already holds. */
        static final List<String> PASSAGE_KEYS = List.of("text", "offset", "value", "vector");

        private final Supplier<EmbeddingBatcher> batcher;

        /** @param batcher the node's batcher, known once the plugin's components exist (after processors are registered) */
        public Factory(Supplier<EmbeddingBatcher> batcher) {
            this.batcher = batcher;
        }

        @Override
        public ElmoProcessor create(Map<String, Processor.Factory> factories, String tag, String description,
                                    Map<String, Object> config, ProjectId projectId) {
            refuseUnknown(tag, TYPE, config.keySet(), OPTIONS);
            String modelId = ConfigurationUtils.readStringProperty(TYPE, tag, config, "model_id");
            try {
                ModelId.resolve(Path.of("models"), modelId);
            } catch (IllegalArgumentException e) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, "model_id", e.getMessage());
            }
            String field = ConfigurationUtils.readStringProperty(TYPE, tag, config, "field");
            String targetField = ConfigurationUtils.readStringProperty(TYPE, tag, config, "target_field", field + "_vector");
            String tokenVectorsField = ConfigurationUtils.readOptionalStringProperty(TYPE, tag, config, "token_vectors_field");
            if (tokenVectorsField != null && (tokenVectorsField.equals(field) || tokenVectorsField.equals(targetField))) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, "token_vectors_field",
                        "must differ from [field] and [target_field], got [" + tokenVectorsField + "]");
            }
            boolean ignoreMissing = ConfigurationUtils.readBooleanProperty(TYPE, tag, config, "ignore_missing", false);
            String overflow = ConfigurationUtils.readStringProperty(TYPE, tag, config, "on_overflow", "truncate");
            Overflow onOverflow = switch (overflow) {
                case "truncate" -> Overflow.TRUNCATE;
                case "fail" -> Overflow.FAIL;
                default -> throw ConfigurationUtils.newConfigurationException(TYPE, tag, "on_overflow",
                        "must be \"truncate\" or \"fail\", got [" + overflow + "]");
            };
            String truncatedField = ConfigurationUtils.readOptionalStringProperty(TYPE, tag, config, "truncated_field");
            EmbeddingSpec spec;
            try {
                spec = EmbeddingSpec.take(config);
            } catch (IllegalArgumentException e) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, property(e.getMessage()), e.getMessage());
            }
            PassageConfig passages = passages(tag, field, config.remove("passages"));
            return new ElmoProcessor(tag, description, modelId, field, targetField, tokenVectorsField, spec, ignoreMissing, onOverflow,
                    truncatedField, passages, batcher.get());
        }

        private static PassageConfig passages(String tag, String field, Object value) {
            if (value == null) {
                return null;
            }
            if (!(value instanceof Map<?, ?> raw)) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, "passages", "must be an object with " + PASSAGE_OPTIONS);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> config = new HashMap<>((Map<String, Object>) raw);
            refuseUnknown(tag, TYPE + ".passages", config.keySet(), PASSAGE_OPTIONS);
            String targetField = ConfigurationUtils.readStringProperty(TYPE, tag, config, "target_field", field + "_passages");
            int maxTokens = ConfigurationUtils.readIntProperty(TYPE, tag, config, "max_tokens", 128);
            int overlap = ConfigurationUtils.readIntProperty(TYPE, tag, config, "overlap_tokens", 32);
            String tokenVectorsField = ConfigurationUtils.readOptionalStringProperty(TYPE, tag, config, "token_vectors_field");
            if (tokenVectorsField != null && PASSAGE_KEYS.contains(tokenVectorsField)) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, "passages.token_vectors_field",
                        "must not be one of a passage's own keys " + PASSAGE_KEYS + ", got [" + tokenVectorsField + "]");
            }
            if (maxTokens < 1 || maxTokens > EmbeddingSpec.MAX_TOKENS_LIMIT) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, "passages.max_tokens",
                        "must be between 1 and " + EmbeddingSpec.MAX_TOKENS_LIMIT + ", got " + maxTokens);
            }
            if (overlap < 0 || overlap >= maxTokens) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, "passages.overlap_tokens",
                        "must be >= 0 and smaller than passages.max_tokens " + maxTokens + ", got " + overlap);
            }
            return new PassageConfig(targetField, maxTokens, overlap, tokenVectorsField);
        }

        /** The plugin's one unknown-option message, as the standard processor error (it carries the processor's tag). */
        private static void refuseUnknown(String tag, String where, Set<String> keys, List<String> allowed) {
            String unknown = UnknownOptions.first(keys, allowed);
            if (unknown != null) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, null, UnknownOptions.message(where, unknown, allowed));
            }
        }

        /** The option an {@link EmbeddingSpec} message names: it starts with {@code [key]}. */
        private static String property(String message) {
            int end = message.indexOf(']');
            return message.startsWith("[") && end > 0 ? message.substring(1, end) : "config";
        }
    }
}
