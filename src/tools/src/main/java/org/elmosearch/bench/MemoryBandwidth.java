package org.elmosearch.bench;

/** Main-memory copy bandwidth (bytes read plus bytes written per second), from a copy much larger than the caches. */
final class MemoryBandwidth {

    private static final int FLOATS = 64 << 20;

    private MemoryBandwidth() {
    }

    static double gigabytesPerSecond() {
        float[] source = new float[FLOATS];
        float[] target = new float[FLOATS];
        java.util.Arrays.fill(source, 1f);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            System.arraycopy(source, 0, target, 0, FLOATS);
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return 2.0 * FLOATS * Float.BYTES / best / 1e9;
    }
}
