"""Training text for the biLM: Gutenberg header/footer stripping, paragraphs, sentences and tokens.

The tokenizer follows the Java ``TextTokenizer`` (analysis/src/main/java/org/elmosearch/analysis/TextTokenizer.java),
which the encoder uses at run time: words are runs of letters/digits/combining marks with an inner ``-`` or ``.``
(``6-3``, ``U.S``) and ``,`` between digits kept inside; invisible format characters continue a word and otherwise only
separate tokens; URLs and e-mail addresses are one token; an apostrophe glued between a word and a letter starts a
clitic token (``Don 't``); initialisms and a list of abbreviations keep their period; runs of ``-`` and ``.`` are one
token; every other symbol is a token of its own. Emoji sequences are not joined here (rare in training text).
``TrainerTokenizerAgreementIT`` measures the agreement.
"""
import json
import os
import re
import sys
import unicodedata

ABBREVIATIONS = set("""Mr Mrs Ms Messrs Mme Mlle Dr Drs Prof Rev Hon Fr St Sr Jr MR MRS MS DR Gen Gov Sen Sens Rep Reps
Pres Lt Col Capt Cmdr Maj Sgt Cpl Pvt Adm Brig Supt Insp Inc Ltd Co Corp Cos Bros Jan Feb Mar Apr Jun Jul Aug Sep
Sept Oct Nov Dec Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo Mont Neb Nev
Okla Ore Pa Tenn Tex Va Vt Wash Wis Wyo Ave Blvd Rd Mt Ft Dept Univ Fig Vol vs etc approx""".split())
NUMBER_ABBREVIATIONS = {"No", "Nos", "Nr", "Art", "pp"}

def _char_class(accept):
    """A regex character class of every code point whose Unicode category passes ``accept``."""
    ranges = []
    start = None
    for cp in range(sys.maxunicode + 2):
        inside = cp <= sys.maxunicode and accept(cp, unicodedata.category(chr(cp)))
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            ranges.append("\\U%08x" % start if cp - 1 == start else "\\U%08x-\\U%08x" % (start, cp - 1))
            start = None
    return "[" + "".join(ranges) + "]"


# Java's isSpace: zero width space and byte order mark separate even inside words.
_SPACE_LIKE = {0x200B, 0xFEFF}
_MARK = _char_class(lambda cp, cat: cat in ("Mn", "Mc", "Me"))
_FORMAT = _char_class(lambda cp, cat: cat == "Cf" and cp not in _SPACE_LIKE)
_SEPARATOR = _char_class(lambda cp, cat: cat in ("Cf", "Cc") or cp in _SPACE_LIKE)
_ALNUM = r"[^\W_]"
_CONTINUE = r"(?:" + _ALNUM + "|" + _MARK + "|" + _FORMAT + ")"
_WORD = r"(?:" + _ALNUM + "|" + _MARK + ")" + _CONTINUE + r"*(?:(?:[-.]|(?<=\d),(?=\d))" + _ALNUM + _CONTINUE + r"*)*"
_LINK = (r"(?=" + _ALNUM + r")(?:(?i:https?://|s?ftp://|file://|www\.)[^\s\"<>\u201c\u201d]+"
         r"|(?:" + _ALNUM + r"|[._%+-]){1,64}@(?:" + _ALNUM + r"|-){1,63}(?:\.(?:" + _ALNUM + r"|-){1,63})+)")
_TOKEN = re.compile(
    r"(?P<link>" + _LINK + r")"
    r"|(?P<word>" + _WORD + r")"
    r"|(?P<clitic>['\u2019](?=[^\W\d_]))"
    r"|(?P<run>-+|\.+)"
    r"|(?P<other>(?!" + _SEPARATOR + r")\S" + _CONTINUE.replace(_ALNUM + "|", "", 1) + r"*)")
_LINK_TRAILERS = ".,;:!?'\u2019"
_WORD_CHARACTER = re.compile(_ALNUM + "|" + _MARK)
_INITIALISM = re.compile(r"^(?:[A-Z]|[^\W\d_]{1,2}(?:\.[^\W\d_]{1,2})+)$")


def tokenize(text):
    """Tokens of one text (a list of str)."""
    tokens = []
    pos = 0
    n = len(text)
    after_word = False
    while True:
        m = _TOKEN.search(text, pos)
        if m is None:
            break
        start, end = m.span()
        kind = m.lastgroup
        glued = start == pos and after_word
        if kind == "link":
            while end > start and (text[end - 1] in _LINK_TRAILERS
                                   or text[end - 1] == ")" and text.rfind("(", start, end - 1) < 0):
                end -= 1
            tokens.append(text[start:end])
            after_word = _WORD_CHARACTER.match(text[end - 1]) is not None
            pos = end
            continue
        if kind == "clitic":
            if glued or _standalone_clitic(text, start + 1):
                w = re.compile(_WORD).match(text, start + 1)
                end = w.end() if w else start + 1
            # else a lone apostrophe: a token of its own
            tokens.append(text[start:end])
            after_word = False
            pos = end
            continue
        if kind == "word":
            word = text[start:end]
            if end < n and text[end] == "." and not (end + 1 < n and text[end + 1] == "."):
                if (_INITIALISM.match(word) or word in ABBREVIATIONS
                        or (word in NUMBER_ABBREVIATIONS and re.match(r"\s*\d", text[end + 1:end + 8]))):
                    end += 1
            tokens.append(text[start:end])
            after_word = text[end - 1] != "."
            pos = end
            continue
        tokens.append(text[start:end])
        after_word = False
        pos = end
    return tokens


def _standalone_clitic(text, i):
    for suffix in ("s", "t", "re", "ve", "ll", "d", "m"):
        j = i + len(suffix)
        if text[i:j].lower() == suffix and (j == len(text) or not (text[j].isalnum())):
            return True
    return False


_START = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG.*$", re.M | re.I)
_END = re.compile(r"^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG.*$", re.M | re.I)
_END_OLD = re.compile(r"^(End of (the )?Project Gutenberg|\*\*\*END OF THE PROJECT)", re.M | re.I)


def strip_gutenberg(text):
    """The book without the Project Gutenberg header (up to the *** START OF ... *** line) and footer."""
    m = _START.search(text)
    if m:
        text = text[m.end():]
    ends = [m.start() for m in (_END.search(text), _END_OLD.search(text)) if m]
    if ends:
        text = text[:min(ends)]
    return text


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]*[A-Z0-9])")


def paragraphs(text):
    """Blank-line separated blocks, each joined into one line."""
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        line = " ".join(block.split())
        if line:
            yield line


def sentences(paragraph):
    """A simple sentence split: after . ! ? (and closing quotes) before a capital or a digit, not after Mr. etc."""
    out = []
    start = 0
    for m in _SENTENCE_END.finditer(paragraph):
        before = paragraph[start:m.start()]
        last = before.split()[-1] if before.split() else ""
        if last.rstrip(".") in ABBREVIATIONS or re.fullmatch(r"(?:[A-Z]\.)+", last):
            continue
        out.append(paragraph[start:m.start()].strip())
        start = m.end()
    rest = paragraph[start:].strip()
    if rest:
        out.append(rest)
    return [s for s in out if s]


def corpus_files(paths):
    """Every .txt/.jsonl/.tsv file under the given files and directories, sorted."""
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _dirs, names in os.walk(p):
                for name in names:
                    if name.endswith((".txt", ".jsonl")) and name.upper() != "README.TXT":
                        files.append(os.path.join(root, name))
        else:
            files.append(p)
    return sorted(files)


def read_texts(path):
    """The texts of one file: a .jsonl file gives each object's "text" (BEIR corpus layout, titles left out); a .tsv
    file the last column of each line; any other file is a plain-text book (Gutenberg header and footer stripped),
    split into paragraphs."""
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    obj = json.loads(line)
                    text = obj.get("text", "")
                    if text:
                        yield " ".join(text.split())
    elif path.endswith(".tsv"):
        with open(path, encoding="utf-8") as f:
            for line in f:
                text = line.rstrip("\n").split("\t")[-1].strip()
                if text:
                    yield " ".join(text.split())
    else:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = strip_gutenberg(f.read())
        yield from paragraphs(text)


def tokenized_sentences(paths):
    """Yields (file index, tokens) for every sentence of every file."""
    for k, path in enumerate(corpus_files(paths)):
        for para in read_texts(path):
            for s in sentences(para):
                toks = tokenize(s)
                if toks:
                    yield k, toks


def tokenized_paragraphs(paths):
    """Yields (file index, tokens) for every paragraph (a book's blank-line block, a corpus passage) of every file."""
    for k, path in enumerate(corpus_files(paths)):
        for para in read_texts(path):
            toks = tokenize(para)
            if toks:
                yield k, toks
