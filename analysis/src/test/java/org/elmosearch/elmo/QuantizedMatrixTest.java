package org.elmosearch.elmo;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizedMatrixTest {

    @Test
    void everyValueIsWithinHalfAStepOfItsColumnScale() {
        int rows = 37;
        int columns = 11;
        float[] matrix = new float[rows * columns];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < matrix.length; i++) {
            // Columns of very different magnitudes: one scale per column keeps the small ones precise.
            matrix[i] = (float) (random.nextGaussian() * Math.pow(10, (i % columns) - 5));
        }
        QuantizedMatrix q = QuantizedMatrix.of(matrix, rows, columns);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                byte v = q.values()[r * columns + c];
                assertTrue(Math.abs(v) <= QuantizedMatrix.LEVELS, "value " + v + " outside the 7-bit range");
                float restored = v * q.scales()[c];
                assertTrue(Math.abs(restored - matrix[r * columns + c]) <= q.scales()[c] / 2 * 1.0001f,
                        "[" + r + ", " + c + "]: " + matrix[r * columns + c] + " came back as " + restored);
            }
        }
    }

    @Test
    void theLargestValueOfAColumnUsesTheWholeRange() {
        QuantizedMatrix q = QuantizedMatrix.of(new float[]{21f, -126f, -63f, 42f}, 2, 2);
        // Column 0 holds 21 and -63, column 1 holds -126 and 42: each column's largest magnitude maps to 63.
        assertEquals(1f, q.scales()[0]);
        assertEquals(2f, q.scales()[1]);
        assertArrayEquals(new byte[]{21, -63, -63, 21}, q.values());
    }

    @Test
    void anAllZeroColumnStaysZeroWithAFiniteScale() {
        QuantizedMatrix q = QuantizedMatrix.of(new float[]{0f, 1f, 0f, 2f}, 2, 2);
        assertEquals(0, q.values()[0]);
        assertEquals(0, q.values()[2]);
        assertTrue(q.scales()[0] > 0 && Float.isFinite(q.scales()[0]));
    }

    @Test
    void aMatrixOfTheWrongSizeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> QuantizedMatrix.of(new float[5], 2, 3));
    }
}
