package org.elmosearch.analysis;

import java.io.IOException;
import java.util.List;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.util.AttributeFactory;

/**
 * A Lucene {@link Tokenizer} that emits the tokens of {@link TextTokenizer}, so that indexed terms line up with the
 * tokens the ELMo encoder embeds. The whole input is read on {@link #reset()}: the tokenizer needs the text around a
 * period or an apostrophe, and the inputs are documents, not streams.
 */
public final class ElmoTokenizer extends Tokenizer {

    private final CharTermAttribute termAttribute = addAttribute(CharTermAttribute.class);
    private final OffsetAttribute offsetAttribute = addAttribute(OffsetAttribute.class);
    private final PositionIncrementAttribute positionIncrementAttribute =
            addAttribute(PositionIncrementAttribute.class);

    private final char[] readBuffer = new char[8192];
    private List<Token> tokens = List.of();
    private int nextToken;
    private int textLength;

    public ElmoTokenizer() {
    }

    public ElmoTokenizer(AttributeFactory factory) {
        super(factory);
    }

    @Override
    public void reset() throws IOException {
        super.reset();
        String text = readInput();
        textLength = text.length();
        tokens = TextTokenizer.standard().tokenize(text);
        nextToken = 0;
    }

    private String readInput() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int read = input.read(readBuffer); read != -1; read = input.read(readBuffer)) {
            text.append(readBuffer, 0, read);
        }
        return text.toString();
    }

    @Override
    public boolean incrementToken() {
        if (nextToken == tokens.size()) {
            return false;
        }
        clearAttributes();
        Token token = tokens.get(nextToken++);
        termAttribute.setEmpty().append(token.text());
        offsetAttribute.setOffset(correctOffset(token.startOffset()), correctOffset(token.endOffset()));
        positionIncrementAttribute.setPositionIncrement(1);
        return true;
    }

    @Override
    public void end() throws IOException {
        super.end();
        int finalOffset = correctOffset(textLength);
        offsetAttribute.setOffset(finalOffset, finalOffset);
    }

    @Override
    public void close() throws IOException {
        super.close();
        tokens = List.of();
    }
}
