package org.elmosearch.elmo;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The fixture sentences: three lists of ten, tokens separated by single spaces. */
final class Fixtures {

    private Fixtures() {
    }

    static List<List<List<String>>> sentenceLists(Path json) throws IOException {
        String[][] raw = new ObjectMapper().readValue(json.toFile(), String[][].class);
        List<List<List<String>>> lists = new ArrayList<>();
        for (String[] list : raw) {
            List<List<String>> sentences = new ArrayList<>();
            for (String s : list) {
                sentences.add(Arrays.asList(s.split(" ")));
            }
            lists.add(sentences);
        }
        return lists;
    }
}
