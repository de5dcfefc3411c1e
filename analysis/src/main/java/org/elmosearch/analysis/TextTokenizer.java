package org.elmosearch.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits raw text into the tokens ELMo saw in training: the 1 Billion Word Benchmark news text, tokenized in the
 * style of the Moses tokenizer.
 *
 * <ul>
 *   <li>Words are runs of letters (of any script), digits and combining marks. A single {@code -} or {@code .}
 *       between two of them stays inside the word ({@code seventh-seeded}, {@code 6-3}, {@code 68.88},
 *       {@code U.S}), and so does a {@code ,} between two digits ({@code 1,234}).</li>
 *   <li>An apostrophe between a word and a letter starts a new token: {@code Don't} gives {@code Don 't},
 *       {@code Murray's} gives {@code Murray 's}. Text tokenized that way already keeps its clitics.</li>
 *   <li>A word keeps a following period when it is an initialism ({@code U.S.}, {@code a.m.}, {@code J.}) or a
 *       known abbreviation ({@code Mr.}, {@code Inc.}, {@code No.} before a number); otherwise the period is a
 *       token of its own.</li>
 *   <li>URLs and e-mail addresses are single tokens.</li>
 *   <li>Runs of {@code -} ({@code --}) and of {@code .} ({@code ...}) are single tokens; every other punctuation
 *       mark or symbol is a token of its own. An emoji, with its modifiers and zero-width-joined parts, is one
 *       token.</li>
 *   <li>Whitespace, control characters and stray invisible format characters only separate tokens.</li>
 * </ul>
 *
 * Instances are immutable and thread-safe.
 */
public final class TextTokenizer {

    private static final TextTokenizer STANDARD = new TextTokenizer();

    /** Titles, company suffixes, states and other abbreviations that keep their period. Case-sensitive. */
    private static final Set<String> ABBREVIATIONS = Set.of(
            "Mr", "Mrs", "Ms", "Messrs", "Mme", "Mlle", "Dr", "Drs", "Prof", "Rev", "Hon", "Fr", "St", "Sr", "Jr",
            "MR", "MRS", "MS", "DR",
            "Gen", "Gov", "Sen", "Sens", "Rep", "Reps", "Pres", "Lt", "Col", "Capt", "Cmdr", "Maj", "Sgt", "Cpl",
            "Pvt", "Adm", "Brig", "Supt", "Insp",
            "Inc", "Ltd", "Co", "Corp", "Cos", "Bros",
            "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
            "Ala", "Ariz", "Ark", "Calif", "Colo", "Conn", "Del", "Fla", "Ga", "Ill", "Ind", "Kan", "Ky", "La",
            "Md", "Mass", "Mich", "Minn", "Miss", "Mo", "Mont", "Neb", "Nev", "Okla", "Ore", "Pa", "Tenn", "Tex",
            "Va", "Vt", "Wash", "Wis", "Wyo",
            "Ave", "Blvd", "Rd", "Mt", "Ft", "Dept", "Univ", "Fig", "Vol", "vs", "etc", "approx");

    /** Abbreviations that keep their period only before a number: {@code No. 5}, but {@code said no.}. */
    private static final Set<String> NUMBER_ABBREVIATIONS = Set.of("No", "Nos", "Nr", "Art", "pp");

    // Lengths are bounded so that a failed match costs little even inside long runs of word characters.
    private static final Pattern LINK = Pattern.compile(
            "(?i:https?://|s?ftp://|file://|www\\.)[^\\s\\p{Z}\\p{Cc}\"<>“”]+"
                    + "|[\\p{L}\\p{N}._%+-]{1,64}@[\\p{L}\\p{N}-]{1,63}(?:\\.[\\p{L}\\p{N}-]{1,63})+");

    private static final String LINK_TRAILING_PUNCTUATION = ".,;:!?'’";

    /** The clitics {@code 's 't 're 've 'll 'd 'm}, without their apostrophe. */
    private static final List<String> CLITIC_SUFFIXES = List.of("s", "t", "re", "ve", "ll", "d", "m");

    private static final int ZERO_WIDTH_JOINER = 0x200D;

    /** The tokenizer; it has no settings. */
    public static TextTokenizer standard() {
        return STANDARD;
    }

    private TextTokenizer() {
    }

    /** The tokens of {@code text}, in order; none for empty or blank text. */
    public List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>();
        Matcher link = LINK.matcher(text);
        int position = 0;
        while (position < text.length()) {
            int first = text.codePointAt(position);
            if (separatesOnly(first)) {
                position += Character.charCount(first);
                continue;
            }
            int end;
            if (isWordCharacter(first)) {
                int linkEnd = linkEnd(text, position, link);
                end = linkEnd > position ? linkEnd : wordEnd(text, position);
            } else if (startsClitic(text, position, first)) {
                end = wordEnd(text, position);
            } else if (first == '-' || first == '.') {
                end = runEnd(text, position, first);
            } else if (Character.isExtendedPictographic(first)) {
                end = emojiEnd(text, position);
            } else if (isRegionalIndicator(first)) {
                end = flagEnd(text, position);
            } else {
                end = symbolEnd(text, position);
            }
            tokens.add(new Token(text.substring(position, end), position, end));
            position = end;
        }
        return tokens;
    }

    private static int wordEnd(String text, int start) {
        int end = start + Character.charCount(text.codePointAt(start));
        while (end < text.length()) {
            int c = text.codePointAt(end);
            if (continuesWord(c)) {
                end += Character.charCount(c);
            } else if (isInnerConnector(text, end, c)) {
                end++;
            } else {
                break;
            }
        }
        return keepsPeriod(text, start, end) ? end + 1 : end;
    }

    private static boolean isInnerConnector(String text, int index, int c) {
        if (index + 1 >= text.length()) {
            return false;
        }
        int next = text.codePointAt(index + 1);
        return switch (c) {
            case '-', '.' -> isAlphanumeric(next);
            case ',' -> Character.isDigit(next) && Character.isDigit(text.codePointBefore(index));
            default -> false;
        };
    }

    private static boolean keepsPeriod(String text, int wordStart, int wordEnd) {
        boolean periodFollows = wordEnd < text.length() && text.charAt(wordEnd) == '.';
        boolean isEllipsis = wordEnd + 1 < text.length() && text.charAt(wordEnd + 1) == '.';
        if (!periodFollows || isEllipsis) {
            return false;
        }
        String word = text.substring(wordStart, wordEnd);
        return isInitialism(word)
                || ABBREVIATIONS.contains(word)
                || NUMBER_ABBREVIATIONS.contains(word) && nextIsDigit(text, wordEnd + 1);
    }

    /**
     * {@code J}, {@code U.S}, {@code a.m}, {@code Ph.D}: one capital letter, or dotted parts of one or two letters.
     * Longer parts ({@code cnn.com}) are more likely names whose period ends a sentence.
     */
    private static boolean isInitialism(String word) {
        if (word.length() == 1) {
            return Character.isUpperCase(word.charAt(0));
        }
        if (word.indexOf('.') < 0) {
            return false;
        }
        int partLength = 0;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c == '.') {
                partLength = 0;
            } else if (!Character.isLetter(c) || ++partLength > 2) {
                return false;
            }
        }
        return true;
    }

    private static boolean nextIsDigit(String text, int from) {
        int i = from;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i < text.length() && Character.isDigit(text.charAt(i));
    }

    private static int linkEnd(String text, int start, Matcher link) {
        link.region(start, text.length());
        if (!link.lookingAt()) {
            return start;
        }
        int end = link.end();
        while (end > start && isLinkTrailer(text, start, end)) {
            end--;
        }
        return end;
    }

    /** Punctuation that ends a sentence or a parenthesis around a link rather than belonging to it. */
    private static boolean isLinkTrailer(String text, int start, int end) {
        char last = text.charAt(end - 1);
        if (last == ')') {
            return text.lastIndexOf('(', end - 1) < start;
        }
        return LINK_TRAILING_PUNCTUATION.indexOf(last) >= 0;
    }

    /**
     * An apostrophe glued between a word and a letter, as in {@code Don't} or {@code Murray's}; or one that starts a
     * known clitic on its own, as in text that is already tokenized ({@code Don 't}).
     */
    private static boolean startsClitic(String text, int index, int c) {
        boolean isApostrophe = c == '\'' || c == '’';
        if (!isApostrophe || index + 1 >= text.length() || !Character.isLetter(text.codePointAt(index + 1))) {
            return false;
        }
        return index > 0 && isWordCharacter(text.codePointBefore(index)) || isStandaloneClitic(text, index + 1);
    }

    private static boolean isStandaloneClitic(String text, int suffixStart) {
        for (String suffix : CLITIC_SUFFIXES) {
            int end = suffixStart + suffix.length();
            if (text.regionMatches(true, suffixStart, suffix, 0, suffix.length())
                    && (end == text.length() || !isWordCharacter(text.codePointAt(end)))) {
                return true;
            }
        }
        return false;
    }

    private static int runEnd(String text, int start, int c) {
        int end = start + 1;
        while (end < text.length() && text.charAt(end) == c) {
            end++;
        }
        return end;
    }

    private static int emojiEnd(String text, int start) {
        int end = start + Character.charCount(text.codePointAt(start));
        while (end < text.length()) {
            int c = text.codePointAt(end);
            boolean joined = text.codePointBefore(end) == ZERO_WIDTH_JOINER && Character.isExtendedPictographic(c);
            if (!joined && !isModifier(c) && !Character.isEmojiModifier(c)) {
                break;
            }
            end += Character.charCount(c);
        }
        return end;
    }

    /** A flag is a pair of regional indicator letters. */
    private static int flagEnd(String text, int start) {
        int end = start + Character.charCount(text.codePointAt(start));
        if (end < text.length() && isRegionalIndicator(text.codePointAt(end))) {
            end += Character.charCount(text.codePointAt(end));
        }
        return end;
    }

    private static int symbolEnd(String text, int start) {
        int end = start + Character.charCount(text.codePointAt(start));
        while (end < text.length() && isModifier(text.codePointAt(end))) {
            end += Character.charCount(text.codePointAt(end));
        }
        return end;
    }

    private static boolean isRegionalIndicator(int c) {
        return c >= 0x1F1E6 && c <= 0x1F1FF;
    }

    private static boolean isWordCharacter(int c) {
        return isAlphanumeric(c) || isMark(c);
    }

    private static boolean continuesWord(int c) {
        return isAlphanumeric(c) || isModifier(c);
    }

    /** Letters and digits, also numerals such as {@code Ⅻ} and {@code ²}. */
    private static boolean isAlphanumeric(int c) {
        int type = Character.getType(c);
        return Character.isLetterOrDigit(c) || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /** Combining marks and invisible format characters (variation selectors, joiners, soft hyphens, tags). */
    private static boolean isModifier(int c) {
        return isMark(c) || Character.getType(c) == Character.FORMAT && !isSpace(c);
    }

    private static boolean isMark(int c) {
        int type = Character.getType(c);
        return type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    private static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.getType(c) == Character.CONTROL
                || c == 0x200B  // zero width space
                || c == 0xFEFF; // byte order mark
    }

    /** Characters that never belong to a token; format characters only count inside words and emoji. */
    private static boolean separatesOnly(int c) {
        return isSpace(c) || Character.getType(c) == Character.FORMAT;
    }
}
