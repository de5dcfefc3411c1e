package org.elmosearch.plugin;

import java.util.List;

/** Short texts on unrelated topics, shared by the internal-cluster and distribution tests. */
final class TestCorpus {

    private TestCorpus() {
    }

    static final List<String> SENTENCES = List.of(
            "The cat sat on the warm mat by the fire.",
            "Stock markets fell sharply after the central bank raised interest rates.",
            "The river flows through the valley to the sea.",
            "Volcanoes erupt when magma rises through the crust.",
            "The team won the championship after a dramatic final match.",
            "Bread is made from flour, water, yeast and salt.",
            "The telescope revealed distant galaxies full of young stars.",
            "Vaccines train the immune system to recognise a virus.");
}
