package org.elmosearch.node;

import org.elasticsearch.common.Strings;
import org.elasticsearch.test.ESTestCase;

import java.util.OptionalLong;

public class ModelMemoryTests extends ESTestCase {

    public void testTheMeasuredGrowthIsTheModelsNativeMemory() {
        assertEquals(new ModelMemory(50_000_000, true), ModelMemory.of(1_000_000, OptionalLong.of(200_000_000), OptionalLong.of(250_000_000)));
    }

    public void testAGrowthBelowTheGraphsSizeCountsTheGraphsSize() {
        // Memory freed earlier and handed out again does not grow the process, yet the session holds the weights.
        assertEquals(new ModelMemory(1_000_000, true), ModelMemory.of(1_000_000, OptionalLong.of(200_000_000), OptionalLong.of(199_000_000)));
    }

    public void testWithoutAReadingTheGraphsSizeStandsInAndSaysSo() {
        assertEquals(new ModelMemory(1_000_000, false), ModelMemory.of(1_000_000, OptionalLong.empty(), OptionalLong.empty()));
        assertEquals(new ModelMemory(1_000_000, false), ModelMemory.of(1_000_000, OptionalLong.of(5), OptionalLong.empty()));
    }

    public void testShownAsBytesAndWhetherMeasured() {
        assertEquals("{\"native_bytes\":2048,\"measured\":true}", Strings.toString(new ModelMemory(2048, true)));
    }
}
