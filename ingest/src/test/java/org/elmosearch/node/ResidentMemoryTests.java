package org.elmosearch.node;

import org.apache.lucene.util.Constants;
import org.elasticsearch.test.ESTestCase;

import java.util.List;
import java.util.OptionalLong;

public class ResidentMemoryTests extends ESTestCase {

    public void testReadsTheResidentAnonymousMemoryInBytesAndNotTheFileBackedPages() {
        List<String> status = List.of("Name:\tjava", "VmRSS:\t  900000 kB", "RssAnon:\t  123456 kB", "RssFile:\t  776544 kB");
        assertEquals(OptionalLong.of(123456L * 1024), ResidentMemory.parse(status));
    }

    public void testAStatusWithoutTheFieldOrWithAnotherUnitGivesNothing() {
        assertEquals(OptionalLong.empty(), ResidentMemory.parse(List.of("Name:\tjava", "VmRSS:\t  900000 kB")));
        assertEquals(OptionalLong.empty(), ResidentMemory.parse(List.of("RssAnon:\t  12 MB")));
        assertEquals(OptionalLong.empty(), ResidentMemory.parse(List.of("RssAnon:\t  many kB")));
    }

    public void testThisProcessIsReadOnLinux() {
        assumeTrue("/proc/self/status is Linux's", Constants.LINUX);
        assertTrue(ResidentMemory.anonymousBytes().getAsLong() > 0);
    }
}
