package org.elmosearch.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextTokenizerTest {

    private static List<String> texts(String text) {
        return TextTokenizer.standard().tokenize(text).stream().map(Token::text).toList();
    }

    @Test
    void splitsCliticsBeforeTheApostropheAsTheTrainingDataDoes() {
        assertEquals(List.of("Don", "'t", "!"), texts("Don't!"));
        assertEquals(List.of("it", "'s", "they", "'re", "I", "'m", "we", "'ve", "he", "'ll", "she", "'d", "can", "'t"),
                texts("it's they're I'm we've he'll she'd can't"));
        assertEquals(List.of("Murray", "'s", "home"), texts("Murray's home"));
        assertEquals(List.of("wasn", "’t"), texts("wasn’t"));
        assertEquals(List.of("the", "1990", "'s"), texts("the 1990's"));
    }

    @Test
    void keepsCliticsOfAlreadyTokenizedText() {
        assertEquals(List.of("Don", "'t", "!", "Murray", "'S", "."), texts("Don 't ! Murray 'S ."));
        assertEquals(List.of("'", "till", "'", "said"), texts("'till ' said"));
    }

    @Test
    void keepsApostrophesThatAreNotCliticsApart() {
        assertEquals(List.of("the", "'", "90s"), texts("the '90s"));
        assertEquals(List.of("James", "'", "car"), texts("James' car"));
        assertEquals(List.of("'", "Hello", "'"), texts("'Hello'"));
    }

    @Test
    void keepsPeriodsOfAbbreviationsAndInitialisms() {
        assertEquals(List.of("Mr.", "Smith", "met", "Ms.", "Jones", "and", "Dr.", "Who", "of", "Acme", "Inc.", "at",
                        "9", "a.m.", "in", "the", "U.S.", "today", "."),
                texts("Mr. Smith met Ms. Jones and Dr. Who of Acme Inc. at 9 a.m. in the U.S. today."));
        assertEquals(List.of("George", "W.", "Bush", "e.g.", "Ph.D.", "U.S.A."), texts("George W. Bush e.g. Ph.D. U.S.A."));
    }

    @Test
    void keepsNumberAbbreviationsOnlyBeforeNumbers() {
        assertEquals(List.of("No.", "5", "and", "Art.", "12"), texts("No. 5 and Art. 12"));
        assertEquals(List.of("The", "answer", "was", "No", "."), texts("The answer was No."));
    }

    @Test
    void splitsSentenceFinalPeriods() {
        assertEquals(List.of("should", "stay", "open", "."), texts("should stay open."));
        assertEquals(List.of("Visit", "cnn.com", "."), texts("Visit cnn.com."));
        assertEquals(List.of("It", "was", "3.14", "."), texts("It was 3.14."));
        assertEquals(List.of("Wait", "...", "what", "?", "!"), texts("Wait...what?!"));
    }

    @Test
    void keepsNumbersWholeButSplitsSlashes() {
        assertEquals(List.of("a", "6-3", ",", "6-7", "(", "5", "/", "7", ")", "win"), texts("a 6-3, 6-7 (5/7) win"));
        assertEquals(List.of("1,234.56", "68.88", "98th", "21", "6X6"), texts("1,234.56 68.88 98th 21 6X6"));
        assertEquals(List.of("10,000", "people", ",", "3", "cars"), texts("10,000 people, 3 cars"));
        assertEquals(List.of("$", "5", "and", "50", "%"), texts("$5 and 50%"));
    }

    @Test
    void keepsHyphenatedWordsButSplitsDashes() {
        assertEquals(List.of("bio-identical", "seventh-seeded", "through-out", "Lashkar-e-Taiba", "mid-October"),
                texts("bio-identical seventh-seeded through-out Lashkar-e-Taiba mid-October"));
        assertEquals(List.of("calling", "--", "a", "skill"), texts("calling--a skill"));
        assertEquals(List.of("AMMAN", "(", "Reuters", ")", "-", "King"), texts("AMMAN (Reuters) - King"));
    }

    @Test
    void splitsPunctuationAndQuotes() {
        assertEquals(List.of("titled", "\"", "Crazy", "Talk", ":", "Oprah", ",", "Wacky", "Cures", "&", "You", ".", "\""),
                texts("titled \"Crazy Talk: Oprah, Wacky Cures & You.\""));
        assertEquals(List.of("“", "Yes", ";", "no", "”", "•", "done"), texts("“Yes; no” • done"));
    }

    @Test
    void keepsLinksAndEmailAddressesWhole() {
        assertEquals(List.of("See", "https://example.com/a?b=1&c=2", "."), texts("See https://example.com/a?b=1&c=2."));
        assertEquals(List.of("(", "www.example.org", ")"), texts("(www.example.org)"));
        assertEquals(List.of("FTP://files.example.com/a.txt", "IPA", ":", "/", "naʊt", "/"),
                texts("FTP://files.example.com/a.txt IPA:/naʊt/"));
        assertEquals(List.of("https://en.wikipedia.org/wiki/Foo_(bar)"), texts("https://en.wikipedia.org/wiki/Foo_(bar)"));
        assertEquals(List.of("Mail", "john.smith@example.co.uk", ",", "please"),
                texts("Mail john.smith@example.co.uk, please"));
    }

    @Test
    void formsWordsInAnyScript() {
        assertEquals(List.of("Über", "naïve", "cafe\u0301"), texts("Über naïve cafe\u0301"));
        assertEquals(List.of("Привет", ",", "мир", "!"), texts("Привет, мир!"));
        assertEquals(List.of("我爱北京", "。"), texts("我爱北京。"));
        assertEquals(List.of("नमस्ते", "दुनिया"), texts("नमस्ते दुनिया"));
        assertEquals(List.of("مرحبا", "بالعالم"), texts("مرحبا بالعالم"));
    }

    @Test
    void makesEachEmojiOneToken() {
        assertEquals(List.of("I", "❤️", "NY", "👍🏽", "👨‍👩‍👧", "🇺🇸", "!"), texts("I ❤️ NY 👍🏽👨‍👩‍👧 🇺🇸!"));
        assertEquals(List.of("great", "👍", "👍"), texts("great👍👍"));
    }

    @Test
    void treatsControlAndInvisibleCharactersAsSpace() {
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), texts("a\u0000b\tc\u0007d\r\ne\u200Bf\uFEFF"));
        assertEquals(List.of("x", "y"), texts("\u200Dx\u00A0y\u2029"));
    }

    @Test
    void yieldsNothingForEmptyOrBlankText() {
        assertEquals(List.of(), texts(""));
        assertEquals(List.of(), texts(" \n\t\u00A0\u0000"));
    }

    @Test
    void offsetsPointIntoTheOriginalText() {
        String text = "  Don't stop, Mr. 👍🏽 — see https://x.org/a.\n\n𝒳-ray 1,234.5 ca\uD800fé";
        List<Token> tokens = TextTokenizer.standard().tokenize(text);
        assertEquals(List.of("Don", "'t", "stop", ",", "Mr.", "👍🏽", "—", "see", "https://x.org/a", ".", "𝒳-ray",
                "1,234.5", "ca", "\uD800", "fé"), tokens.stream().map(Token::text).toList());
        assertEquals(new Token("Don", 2, 5), tokens.get(0));
        assertOffsetsConsistent(text, tokens);
    }

    @Test
    void neverFailsOnArbitraryCodePoints() {
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                text.appendCodePoint(random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10FFFF + 1));
            }
            assertOffsetsConsistent(text.toString(), TextTokenizer.standard().tokenize(text.toString()));
        }
    }

    private static void assertOffsetsConsistent(String text, List<Token> tokens) {
        int previousEnd = 0;
        for (Token token : tokens) {
            assertTrue(token.startOffset() >= previousEnd && token.endOffset() > token.startOffset(), token::toString);
            assertEquals(text.substring(token.startOffset(), token.endOffset()), token.text());
            previousEnd = token.endOffset();
        }
    }
}
