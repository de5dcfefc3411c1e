#!/usr/bin/env python3
"""Derive an answer-sentence retrieval set (BEIR layout) from the SQuAD passage-retrieval set.

Each passage is cut into sentences; each question's relevant documents are the sentences of its own passage that
hold one of its answers. It is a second collection for checking that ranking defaults chosen on the passage task
carry over to another granularity, with shorter documents, ten times as many, and most of them near-duplicates in
topic. It is derived from the same questions, so it is not independent of SQuAD: say so when reporting it.

usage: squad_sentences.py SQUAD_DIR OUT_DIR   (standard library only)
"""
import json
import os
import re
import sys

# A sentence ends at . ! or ? followed by a space and an upper-case letter, a digit or a quote; abbreviations such
# as "U.S. Army" split wrongly now and then, which only makes some documents shorter.
SENTENCE_END = re.compile(r'(?:(?<=[.!?])|(?<=[.!?]["\')\]]))\s+(?=["\'(\[]?[A-Z0-9])')


def sentences(text):
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def main(squad, out):
    os.makedirs(os.path.join(out, "qrels"), exist_ok=True)
    by_passage = {}
    with open(os.path.join(squad, "corpus.jsonl"), encoding="utf-8") as src, \
            open(os.path.join(out, "corpus.jsonl"), "w", encoding="utf-8") as dst:
        for line in src:
            passage = json.loads(line)
            ids = []
            for i, sentence in enumerate(sentences(passage["text"])):
                doc_id = "%s-s%d" % (passage["_id"], i)
                ids.append((doc_id, sentence))
                dst.write(json.dumps({"_id": doc_id, "title": passage["title"], "text": sentence}) + "\n")
            by_passage[passage["_id"]] = ids
    gold = {}
    with open(os.path.join(squad, "qrels", "test.tsv"), encoding="utf-8") as src:
        next(src)
        for line in src:
            query_id, passage_id, _ = line.rstrip("\n").split("\t")
            gold[query_id] = passage_id
    kept = 0
    with open(os.path.join(squad, "queries.jsonl"), encoding="utf-8") as src, \
            open(os.path.join(out, "queries.jsonl"), "w", encoding="utf-8") as queries, \
            open(os.path.join(out, "qrels", "test.tsv"), "w", encoding="utf-8") as qrels:
        qrels.write("query-id\tcorpus-id\tscore\n")
        for line in src:
            query = json.loads(line)
            relevant = [doc_id for doc_id, sentence in by_passage.get(gold.get(query["_id"]), [])
                        if any(answer and answer in sentence for answer in query.get("answers", []))]
            if not relevant:
                continue  # the answer spans a sentence boundary
            kept += 1
            queries.write(json.dumps({"_id": query["_id"], "text": query["text"]}) + "\n")
            for doc_id in relevant:
                qrels.write("%s\t%s\t1\n" % (query["_id"], doc_id))
    documents = sum(len(ids) for ids in by_passage.values())
    print("wrote %d sentences and %d judged questions to %s" % (documents, kept, out))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
