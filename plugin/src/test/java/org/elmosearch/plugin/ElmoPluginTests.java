package org.elmosearch.plugin;

import org.elasticsearch.common.settings.Setting;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.unit.ByteSizeValue;
import org.elasticsearch.common.util.concurrent.EsExecutors;
import org.elasticsearch.monitor.os.OsProbe;
import org.elasticsearch.test.ESTestCase;
import org.elasticsearch.threadpool.ExecutorBuilder;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;

public class ElmoPluginTests extends ESTestCase {

    public void testTheDefaultsKeepThePoolTimesTheThreadsPerRunWithinTheProcessors() {
        // processors -> {inference threads, pool size}
        Map<Integer, int[]> expected = Map.of(1, new int[] {1, 1}, 2, new int[] {2, 1}, 4, new int[] {4, 1}, 8, new int[] {4, 2}, 16,
                new int[] {4, 4});
        expected.forEach((processors, defaults) -> {
            int inferenceThreads = ElmoPlugin.defaultInferenceThreads(processors);
            int poolSize = ElmoPlugin.defaultThreadPoolSize(processors, inferenceThreads);
            assertEquals(processors + " processors: inference threads", defaults[0], inferenceThreads);
            assertEquals(processors + " processors: pool size", defaults[1], poolSize);
            assertTrue(processors + " processors: " + poolSize + " x " + inferenceThreads, poolSize * inferenceThreads <= processors);
        });
    }

    public void testThePoolDefaultFollowsExplicitInferenceThreads() {
        assertEquals("one thread per run: a run per processor", 8, ElmoPlugin.defaultThreadPoolSize(8, 1));
        assertEquals("rounds down: 2 x 3 threads fit in 8", 2, ElmoPlugin.defaultThreadPoolSize(8, 3));
        assertEquals("more threads per run than processors: still one run", 1, ElmoPlugin.defaultThreadPoolSize(4, 8));
        assertEquals("0: ONNX Runtime takes every core for each run", 1, ElmoPlugin.defaultThreadPoolSize(16, 0));
    }

    public void testTheNodeSettingsUseTheDefaults() {
        Settings settings = Settings.builder().put(EsExecutors.NODE_PROCESSORS_SETTING.getKey(), 1).build();
        assertEquals(1, (int) ElmoPlugin.INFERENCE_THREADS.get(settings));
        assertEquals(1, poolSize(settings));
    }

    public void testExplicitSettingsWinEvenPastTheProcessors() {
        Settings settings = Settings.builder()
                .put(EsExecutors.NODE_PROCESSORS_SETTING.getKey(), 1)
                .put(ElmoPlugin.INFERENCE_THREADS.getKey(), 2)
                .put("elmo.thread_pool.size", 3)
                .build();
        assertEquals(2, (int) ElmoPlugin.INFERENCE_THREADS.get(settings));
        assertEquals(3, poolSize(settings));
    }

    /** The {@code elmo} pool's size as the node would build it from {@code settings}. */
    private static int poolSize(Settings settings) {
        List<ExecutorBuilder<?>> builders = new ElmoPlugin().getExecutorBuilders(settings);
        assertEquals(1, builders.size());
        Setting<?> size = builders.get(0).getRegisteredSettings().stream()
                .filter(s -> s.getKey().equals("elmo.thread_pool.size"))
                .findFirst()
                .orElseThrow();
        return (Integer) size.get(settings);
    }

    public void testTheModelMemoryBudgetIsAByteSizeOrAShareOfTheNodesMemory() {
        long gb = 1L << 30;
        assertEquals(ByteSizeValue.ofGb(4), ElmoPlugin.parseMemoryBudget("25%", 16 * gb));
        assertEquals(ByteSizeValue.ofMb(512), ElmoPlugin.parseMemoryBudget("512mb", 16 * gb));
        assertEquals("the node's memory unknown: no budget", Long.MAX_VALUE, ElmoPlugin.parseMemoryBudget("25%", 0).getBytes());
        Exception e = expectThrows(IllegalArgumentException.class,
                () -> ElmoPlugin.MAX_MODEL_MEMORY.get(Settings.builder().put("elmo.models.max_memory", "lots").build()));
        assertThat(e.getMessage(), containsString("[elmo.models.max_memory]"));
        expectThrows(IllegalArgumentException.class,
                () -> ElmoPlugin.MAX_MODEL_MEMORY.get(Settings.builder().put("elmo.models.max_memory", "120%").build()));
    }

    public void testTheModelMemoryBudgetDefaultsToAQuarterOfTheNodesMemoryAndCanChangeWhileTheNodeRuns() {
        long total = OsProbe.getInstance().getAdjustedTotalMemorySize();
        assertEquals(ElmoPlugin.parseMemoryBudget("25%", total), ElmoPlugin.MAX_MODEL_MEMORY.get(Settings.EMPTY));
        assertTrue(ElmoPlugin.MAX_MODEL_MEMORY.isDynamic());
    }
}
