package org.elmosearch.elmo;

import java.util.Arrays;
import java.util.List;

/**
 * Turns tokens into ELMo character ids exactly as AllenNLP's {@code ELMoCharacterMapper}: the token's UTF-8 bytes
 * cut to {@code maxCharacters - 2}, framed by begin/end-of-word markers, padded, every id shifted by one so that 0
 * can mean "no token". The literal tokens {@code <S>} and {@code </S>} map to the sentence markers.
 */
public final class CharacterMapper {

    public static final String BOS_TOKEN = "<S>";
    public static final String EOS_TOKEN = "</S>";

    static final int BEGIN_OF_SENTENCE = 256;
    static final int END_OF_SENTENCE = 257;
    static final int BEGIN_OF_WORD = 258;
    static final int END_OF_WORD = 259;
    static final int PADDING = 260;

    private final int maxCharacters;
    private final int[] bosIds;
    private final int[] eosIds;

    public CharacterMapper(int maxCharacters) {
        if (maxCharacters < 3) {
            throw new IllegalArgumentException("max_characters_per_token must be >= 3, got " + maxCharacters);
        }
        this.maxCharacters = maxCharacters;
        this.bosIds = markerIds(BEGIN_OF_SENTENCE);
        this.eosIds = markerIds(END_OF_SENTENCE);
    }

    public int maxCharacters() {
        return maxCharacters;
    }

    private int[] markerIds(int marker) {
        int[] ids = new int[maxCharacters];
        Arrays.fill(ids, PADDING + 1);
        ids[0] = BEGIN_OF_WORD + 1;
        ids[1] = marker + 1;
        ids[2] = END_OF_WORD + 1;
        return ids;
    }

    /** The ids of one token, {@code maxCharacters} long. */
    public int[] tokenIds(String token) {
        if (BOS_TOKEN.equals(token)) {
            return bosIds.clone();
        }
        if (EOS_TOKEN.equals(token)) {
            return eosIds.clone();
        }
        byte[] bytes = utf8IgnoringUnpairedSurrogates(token);
        int length = Math.min(bytes.length, maxCharacters - 2);
        int[] ids = new int[maxCharacters];
        Arrays.fill(ids, PADDING + 1);
        ids[0] = BEGIN_OF_WORD + 1;
        for (int k = 0; k < length; k++) {
            ids[k + 1] = (bytes[k] & 0xFF) + 1;
        }
        ids[length + 1] = END_OF_WORD + 1;
        return ids;
    }

    /** How many of a token's ids are not padding: its bytes (or sentence marker) and the two word markers. */
    static int framedLength(int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == END_OF_WORD + 1) {
                return i + 1;
            }
        }
        return ids.length;
    }

    /**
     * Fills {@code out} (row-major {@code [rows, maxCharacters]}, starting at row {@code firstRow}) with the
     * sentence framed by {@code <S>} and {@code </S>}: {@code tokens.size() + 2} rows.
     */
    public void writeSentence(List<String> tokens, int[] out, int firstRow) {
        int row = firstRow;
        System.arraycopy(bosIds, 0, out, row++ * maxCharacters, maxCharacters);
        for (String token : tokens) {
            System.arraycopy(tokenIds(token), 0, out, row++ * maxCharacters, maxCharacters);
        }
        System.arraycopy(eosIds, 0, out, row * maxCharacters, maxCharacters);
    }

    /** Python's {@code str.encode('utf-8', 'ignore')}: a lone surrogate is dropped rather than replaced by '?'. */
    private static byte[] utf8IgnoringUnpairedSurrogates(String token) {
        byte[] out = new byte[token.length() * 3];
        int n = 0;
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                out[n++] = (byte) cp;
            } else if (cp < 0x800) {
                out[n++] = (byte) (0xC0 | (cp >> 6));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                continue;
            } else if (cp < 0x10000) {
                out[n++] = (byte) (0xE0 | (cp >> 12));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            }
        }
        return Arrays.copyOf(out, n);
    }
}
