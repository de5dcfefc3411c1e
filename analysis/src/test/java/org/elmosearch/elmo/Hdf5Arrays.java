package org.elmosearch.elmo;

import io.jhdf.HdfFile;

import java.nio.file.Path;

/** Reads reference arrays from HDF5 files in tests. */
final class Hdf5Arrays implements AutoCloseable {

    private final HdfFile file;

    Hdf5Arrays(Path path) {
        this.file = new HdfFile(path);
    }

    float[] floats(String name) {
        Object data = file.getDatasetByPath(name).getDataFlat();
        if (data instanceof float[] f) {
            return f;
        }
        double[] d = (double[]) data;
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    int[] ints(String name) {
        return (int[]) file.getDatasetByPath(name).getDataFlat();
    }

    int[] shape(String name) {
        return file.getDatasetByPath(name).getDimensions();
    }

    String[] strings(String name) {
        return (String[]) file.getDatasetByPath(name).getData();
    }

    boolean has(String name) {
        try {
            file.getDatasetByPath(name);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        file.close();
    }

    static float maxAbsDiff(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + actual.length + " != expected " + expected.length);
        }
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }
}
