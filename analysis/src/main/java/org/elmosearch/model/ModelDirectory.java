package org.elmosearch.model;

import org.elmosearch.elmo.ElmoModel;
import org.elmosearch.elmo.WeightPrecision;
import org.elmosearch.rank.TokenStatistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A model as a folder, the unit that {@code elmo fit} writes and that {@code elmo embed|eval --model}, the Lucene
 * helpers and the Elasticsearch plugin ({@code <config>/elmo/<model_id>/}) load: {@value #ONNX_FILE} (options
 * inside) or {@value #OPTIONS_FILE} + {@value #WEIGHTS_FILE}, and optionally {@value TokenStatistics#FILE_NAME}
 * (fitted by {@code elmo fit}) and the plugin's {@code settings.json}.
 *
 * @param path       the folder, or null for a model given by its files (then without statistics)
 * @param model      the graph, ready for an {@code ElmoEncoder}
 * @param statistics the fitted statistics, or null when the folder has none
 */
public record ModelDirectory(Path path, ElmoModel model, TokenStatistics statistics) {

    public static final String ONNX_FILE = "model.onnx";
    public static final String OPTIONS_FILE = "options.json";
    public static final String WEIGHTS_FILE = "weights.hdf5";
    /** Files that {@link #copyModelFiles} carries over to a fitted copy; statistics are written anew. */
    static final List<String> MODEL_FILES = List.of(ONNX_FILE, OPTIONS_FILE, WEIGHTS_FILE, "settings.json");

    /**
     * Loads a model folder.
     *
     * @param precision how to build the graph from HDF5 weights; null for float32. A {@value #ONNX_FILE} keeps the
     *                  precision it was converted with, and a different one asked for is an error.
     * @throws IOException naming the folder or file at fault: no model files, unreadable weights, statistics that
     *                     are damaged or do not fit the model (both shapes named)
     */
    public static ModelDirectory load(Path dir, WeightPrecision precision) throws IOException {
        ElmoModel model = loadModel(dir, precision);
        return new ModelDirectory(dir, model, readStatistics(dir, model));
    }

    /**
     * The folder's model alone, its statistics not read: for {@code elmo fit}, which must be able to replace a
     * statistics file that is damaged or was fitted for another model.
     */
    public static ElmoModel loadModel(Path dir, WeightPrecision precision) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "model folder not found");
        }
        ElmoModel model;
        if (Files.isRegularFile(dir.resolve(ONNX_FILE))) {
            model = ElmoModel.fromOnnx(dir.resolve(ONNX_FILE));
            if (precision != null && precision != model.precision()) {
                throw new IOException(dir.resolve(ONNX_FILE) + " was converted with " + model.precision().id() + " weights, not "
                        + precision.id() + ": convert it again with `elmo convert --precision " + precision.id() + "`");
            }
        } else if (Files.isRegularFile(dir.resolve(OPTIONS_FILE)) && Files.isRegularFile(dir.resolve(WEIGHTS_FILE))) {
            model = ElmoModel.fromBilm(dir.resolve(OPTIONS_FILE), dir.resolve(WEIGHTS_FILE), precision == null ? WeightPrecision.FLOAT32 : precision);
        } else {
            throw new IOException("[" + dir + "] holds neither " + ONNX_FILE + " nor " + OPTIONS_FILE + " + " + WEIGHTS_FILE);
        }
        return model;
    }

    /**
     * The folder's statistics checked against its model, or null when it has none.
     *
     * @throws IOException naming the file when it is damaged or was fitted for another model's shape
     */
    public static TokenStatistics readStatistics(Path dir, ElmoModel model) throws IOException {
        Path file = dir.resolve(TokenStatistics.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        TokenStatistics statistics = TokenStatistics.read(file);
        try {
            return statistics.checkFits(model.options());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Copies the model's own files (not its statistics) from one folder to another, creating it. */
    public static void copyModelFiles(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String name : MODEL_FILES) {
            Path source = from.resolve(name);
            if (Files.isRegularFile(source)) {
                Files.copy(source, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
