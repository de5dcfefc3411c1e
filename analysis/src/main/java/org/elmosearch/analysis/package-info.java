/**
 * Text to tokens as ELMo's training data was tokenized (1B Word Benchmark, Moses-style): {@link
 * org.elmosearch.analysis.TextTokenizer} with its {@link org.elmosearch.analysis.Token}s, the Lucene {@link
 * org.elmosearch.analysis.ElmoTokenizer} over it (SPI name {@code elmo}, so indexed terms line up with the tokens the
 * encoder embeds), and the {@link org.elmosearch.analysis.SentenceSplitter} that cuts tokenized text into sentences.
 */
package org.elmosearch.analysis;
