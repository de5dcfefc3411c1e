package org.elmosearch.plugin;

import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.Assert.assertTrue;

/** The plugin zip holds what a node needs: no Lucene (Elasticsearch has it), no tools, no macOS debug symbols. */
public class PluginZipIT {

    private final Path zip = Path.of(System.getProperty("elmo.e2e.plugin", "missing"));

    @Test
    public void theZipHoldsTheDescriptorThePolicyAndTheJarsAtItsRoot() throws IOException {
        assertTrue("run through `mvn verify`: need the plugin zip [" + zip + "]", Files.isRegularFile(zip));
        List<String> names = entries();
        assertThat(names, hasItems("plugin-descriptor.properties", "entitlement-policy.yaml"));
        assertTrue(names.toString(), names.stream().anyMatch(n -> n.startsWith("elmo-search-plugin-") && n.endsWith(".jar")));
        assertThat("Elasticsearch ships Lucene: a second copy is jar hell",
                names.stream().filter(n -> n.startsWith("lucene-")).toList(), empty());
        assertThat("the tools module stays out of what a node loads",
                names.stream().filter(n -> n.startsWith("elmo-search-tools")).toList(), empty());
    }

    @Test
    public void onnxRuntimeComesWithoutItsMacOsDebugSymbolsAndKeepsItsLibraries() throws IOException {
        assertTrue("run through `mvn verify`: need the plugin zip [" + zip + "]", Files.isRegularFile(zip));
        List<String> onnxRuntime = new ArrayList<>();
        try (ZipFile plugin = new ZipFile(zip.toFile())) {
            ZipEntry jar = plugin.stream().filter(e -> e.getName().startsWith("onnxruntime-")).findFirst().orElseThrow();
            try (ZipInputStream in = new ZipInputStream(plugin.getInputStream(jar))) {
                for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                    onnxRuntime.add(entry.getName());
                }
            }
        }
        assertThat(onnxRuntime.stream().filter(n -> n.contains(".dSYM")).toList(), empty());
        assertThat(onnxRuntime, hasItems("ai/onnxruntime/native/linux-x64/libonnxruntime.so",
                "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so", "ai/onnxruntime/OrtSession.class"));
    }

    private List<String> entries() throws IOException {
        try (ZipFile plugin = new ZipFile(zip.toFile())) {
            return plugin.stream().map(ZipEntry::getName).toList();
        }
    }
}
