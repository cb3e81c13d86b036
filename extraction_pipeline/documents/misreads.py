"""Legal forms as the recogniser misreads them on faint print, read back as printed.

A seller's name ends in its legal form, and that is where OCR slips show: on the scans of SROIE
receipts 1-300, 8 of the 28 company names the OCR text did not hold had a misread legal form
(`99 SPEED MART 5/B`, `Marketing 5dn Bhd`, `SON 3HD`, `AMANO MALAYSIA SON BHD`), and the model
copies what it is given. So a word that reads as a legal form once the characters recognisers
confuse are put back is that form:

- one word with a letter, where a digit or sign stands for a letter (`5/B`, `8HD`, `L7D`), after
  a word of letters (a name): a number (`170`) or a code after a figure (`12 8HD`) stays;
- two words in a row that read as a two-word form (`SDN BHD`), where an O may also stand for a D:
  alone, `SON` is a word.

Only same-length readings are made, so each line's boxes and per-character confidences still fit
its text: `Sn Bhd` (a letter lost) stays, and so does `S/D`, since a D for a B is not a slip
recognisers make often and `s/d` (until) is a word in Malay and Indonesian. That reads back 6 of
the 8. No line of the 626 SROIE and 600 CORD transcriptions changes (benchmarks/ocr_misreads.py
prints what would); PDF text layers are not touched.
"""

from __future__ import annotations

import re

from extraction_pipeline.doctypes.schemas import LEGAL_FORMS

# What recognisers read for a letter of a legal form (the letter, upper-cased: what it may be read as).
_DIGIT_FOR = {"S": "5$", "B": "83", "D": "0", "O": "0", "I": "1|", "L": "1|", "T": "7", "G": "6", "Z": "2"}
# A letter read as another: only trusted inside a two-word form.
_LETTER_FOR = {"D": "O"}
# Forms of one word long enough not to be read into a stray token of two characters.
_FORMS = sorted({form for form in LEGAL_FORMS if len(form) >= 3} - {"THE"})
_TWO_WORD_FORMS = (("SDN", "BHD"),)
_WORD = re.compile(r"[A-Za-z0-9/$|]+")


def legal_forms_read_back(line: str) -> str:
    """`line` with each misread legal form written as the form (same length, same case style)."""
    words = list(_WORD.finditer(line))
    fixes: dict[int, tuple[int, int, str]] = {}
    for k, word in enumerate(words):
        after_a_name = k > 0 and words[k - 1].group().isalpha()
        if after_a_name and (form := _one_word_form(word.group())):
            fixes[word.start()] = (word.start(), word.end(), form)
        if k + 1 < len(words) and not line[word.end() : words[k + 1].start()].strip(" .,"):
            for first, second in _TWO_WORD_FORMS:
                one = _as_form(word.group(), first, letters=True)
                two = _as_form(words[k + 1].group(), second, letters=True)
                if one and two:
                    fixes[word.start()] = (word.start(), word.end(), one)
                    fixes[words[k + 1].start()] = (words[k + 1].start(), words[k + 1].end(), two)
    for start, end, form in sorted(fixes.values(), reverse=True):
        line = line[:start] + form + line[end:]
    return line


def _one_word_form(word: str) -> str | None:
    """The form `word` is with its digits and signs read as letters (a word already a form is none)."""
    if word.upper() in _FORMS:
        return None
    return next((read for form in _FORMS if (read := _as_form(word, form, letters=False))), None)


def _as_form(word: str, form: str, letters: bool) -> str | None:
    """`word` written as `form` where each of its characters is the form's letter or a misreading of
    it; None where it cannot be that form, or holds no letter (a word of digits is a number). A word
    already the form is returned as it is."""
    if len(word) != len(form) or not any(c.isalpha() for c in word):
        return None
    lower = any(c.islower() for c in word)
    out = []
    for i, (seen, meant) in enumerate(zip(word, form)):
        if seen.upper() == meant:
            out.append(seen)
        elif seen in _DIGIT_FOR.get(meant, "") or (letters and seen.upper() in _LETTER_FOR.get(meant, "")):
            out.append(meant.lower() if lower and i > 0 else meant)
        else:
            return None
    return "".join(out)
