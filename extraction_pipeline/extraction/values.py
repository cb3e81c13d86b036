"""Reading dates and amounts the way documents print them, in the common notations of many countries
(1,234.56, 1.234,56, 1 234,56, 1.591.600 without decimals; 25/12/2018, 05.03.2024, 5. März 2024,
5 mars 2024, March 5, 2024, ISO). Shared by validation, grounding and scoring, so the pipeline and
its evaluation agree on what a printed value means."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Month names and their abbreviations in English, German, French, Dutch, Spanish, Italian and Malay /
# Indonesian, upper-cased; matched as whole words (a prefix of 3+ letters of a listed name also counts).
_MONTH_NAMES_BY_NUMBER = [
    "JANUARY JANUAR JÄNNER JANVIER JANUARI ENERO GENNAIO",
    "FEBRUARY FEBRUAR FÉVRIER FEVRIER FEBRUARI FEBRERO FEBBRAIO",
    "MARCH MÄRZ MAERZ MRZ MARS MAART MARZO MAC MARET",
    "APRIL AVRIL ABRIL APRILE",
    "MAY MAI MEI MAYO MAGGIO",
    "JUNE JUNI JUIN JUNIO GIUGNO JUN",
    "JULY JULI JUILLET JULIO LUGLIO JUL JULAI",
    "AUGUST AOÛT AOUT AUGUSTUS AGOSTO OGOS AGUSTUS",
    "SEPTEMBER SEPTEMBRE SEPTIEMBRE SETTEMBRE SEPT",
    "OCTOBER OKTOBER OCTOBRE OCTUBRE OTTOBRE OKT",
    "NOVEMBER NOVEMBRE NOVIEMBRE NOP",
    "DECEMBER DEZEMBER DÉCEMBRE DECEMBRE DICIEMBRE DICEMBRE DESEMBER DIS DEZ DÉC",
]
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES_BY_NUMBER, 1) for name in names.split()}
_MONTHS.update({name[:3]: i for name, i in list(_MONTHS.items()) if name[:3] not in _MONTHS})
_MONTHS.update({name[:4]: i for name, i in list(_MONTHS.items()) if name[:4] not in _MONTHS})


def letters_and_digits(value: Any) -> str:
    """Upper-cased letters and digits only: how names and addresses are compared (spacing and
    punctuation differ between the OCR text, the model's copy and the labels)."""
    return re.sub(r"[^A-Z0-9]", "", str(value or "").upper())


# ISO 4217 codes and how documents print them instead. A sign of letters counts as a word of its
# own (the `RM` of `FIRMA`, the `kr` of `Kraków` are no currency).
CURRENCY_SIGNS = {
    "EUR": ("€",), "GBP": ("£",), "USD": ("US$", "$"), "JPY": ("¥",), "CNY": ("¥", "元"), "INR": ("₹", "Rs.", "Rs"),
    "MYR": ("RM",), "IDR": ("Rp",), "CHF": ("Fr.",), "CZK": ("Kč",), "PLN": ("zł",), "HUF": ("Ft",),
    "SEK": ("kr",), "NOK": ("kr",), "DKK": ("kr.", "kr"), "BRL": ("R$",), "KRW": ("₩",), "TRY": ("₺", "TL"),
    "PHP": ("₱",), "THB": ("฿",), "VND": ("₫",), "ILS": ("₪",), "UAH": ("₴",), "NGN": ("₦",),
}  # fmt: skip


def _bare_sign(sign: str) -> str:
    return sign.strip().upper().rstrip(".")


def _signs_of_one_currency() -> dict[str, str]:
    """Each sign that belongs to one code only: `kr` (or `kr.`) and `¥` name several of the codes
    above, and `$` the dollars of many countries."""
    codes: dict[str, set[str]] = {}
    for code, signs in CURRENCY_SIGNS.items():
        for sign in signs:
            codes.setdefault(_bare_sign(sign), set()).add(code)
    return {sign: next(iter(found)) for sign, found in codes.items() if len(found) == 1 and sign != "$"}


_CODE_OF_SIGN = _signs_of_one_currency()


def iso_currency(value: str) -> str:
    """The ISO 4217 code for a currency the model gave as its printed sign where the sign names one
    currency only (`Kč` is CZK, `zł` PLN, `€` EUR): a tuning invoice printed `40000 Kč` and the model
    answered the sign although asked for the code. Anything else as given, upper-cased if a code."""
    stripped = value.strip()
    if re.fullmatch(r"[A-Za-z]{3}", stripped):
        return stripped.upper()
    return _CODE_OF_SIGN.get(_bare_sign(stripped), stripped)


# A word printed letter-spaced, as templates print titles (`I N V O I C E #1`): four or more single
# letters with one space between them.
_LETTER_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_](?!\S)")


def spaced_letters_joined(text: str) -> str:
    """`text` with each letter-spaced word read as the word (`INVOICE #1`), so labels match it."""
    return _LETTER_SPACED.sub(lambda m: m.group(0).replace(" ", ""), text)


CENT = Decimal("0.01")
WITH_CENTS = re.compile(r"[.,]\d{2}$")  # a printed amount with cents
# A minus sign before an amount (the hyphen or the typeset minus, U+2212), not the hyphen of an
# identifier (`TX-471102`).
MINUS_BEFORE = re.compile(r"(?<![^\W_])[-\u2212]\s*$")
# What separates a date's parts: also the typographic hyphens a PDF's fonts map to (`18‐08‐2026`
# with U+2010, as a Factur-X renderer prints it); not the en dash, which joins the ends of a range
# (`12–15.05.2024`).
_DASH = "\\-\u2010\u2011\u2012\u2212"


def parse_amount(value: Any) -> Decimal | None:
    """An amount to the cent (how scoring compares amounts); see read_amount."""
    amount = read_amount(value)
    return amount.quantize(CENT) if amount is not None else None


def read_amount(value: Any) -> Decimal | None:
    """A number as is, or printed text in any common notation, exactly: a currency, a unit and a sign
    around it are allowed (`RM 9.50`, `20 Stk.`, `-23.45`, `(12,00)`, `23.45-`); 1.591 is read as 1591.
    Text with two numbers or many words is not an amount: an article number (`55T01`), a pack size
    (`12 x 1,0l`) or a description copied into an amount field is refused, not read as the digits
    it holds."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value))
    text = str(value or "").strip()
    numbers = list(_NUMBER.finditer(text))
    readings = amount_readings(numbers[0].group(0)) if len(numbers) == 1 else []
    if not readings:
        return None
    before, after = text[: numbers[0].start()], text[numbers[0].end() :].strip()
    if any(len(re.sub(r"[\s()+-]", "", side)) > _AROUND_MAX for side in (before, after)):
        return None  # a sentence with a number in it (`117, JALAN RADIN BAGUS`), not an amount
    negative = bool(MINUS_BEFORE.search(before)) or after.startswith("-")
    negative = negative or (before.startswith("(") and after.endswith(")"))
    return -readings[0] if negative else readings[0]


# Separators that group thousands; a decimal part follows . or , (the other one, or a space, groups).
_GROUP_SEPARATORS = ".,'\u00a0\u202f "
# A run of digits and the separators between them, in a value the model copied, and how much may
# be printed on either side of it (a currency or a unit: `EUR`, `Stk.`, `EUR/Stk.`; not an item's
# name, `Kwo Tie Jala2`).
_NUMBER = re.compile(rf"\d(?:[\d{re.escape(_GROUP_SEPARATORS)}]*\d)?")
_AROUND_MAX = 8
# An amount as printed: digits in groups of three (or India's lakhs: 1,25,000.00), or plain digits,
# with 1-4 decimals. Not the middle of a longer number, a date (05.03.2024) or a version.
_INDIAN_GROUPS = re.compile(r"\d{1,2}(?:,\d{2})+,\d{3}")
_PRINTED = re.compile(
    rf"(?<![\d.,])(?:{_INDIAN_GROUPS.pattern}(?:\.\d{{1,2}})?|\d{{1,3}}(?:[.,'\u202f]\d{{3}})+(?:[.,]\d{{1,2}})?"
    r"|\d+(?:[.,]\d{1,4})?)(?![\d]|[.,]\d)"
)
# The same with a space or a no-break space as the thousands separator (1 234,56; the narrow
# no-break space of French typesetting only groups, above), read in a second pass: a space also
# separates a quantity from a price (2 500,00), so both readings stay possible. Without decimals,
# not part of a longer run of spaced digits (after a `+`, or after or before more digits and a
# space): phone, bank and account numbers are printed in spaced groups too (`Telefon: +49 932 431
# 500`, `BLZ: 700 901 00`), and a model offered them as amounts took one for a net total. Some PDFs
# print every space as a no-break space: a Turkish e-invoice's `Tel: 0 332 342 1 342` had read as
# 1342 and was taken for its net total.
_SPACE = "[ \u00a0]"
_SPACED = re.compile(
    r"(?<![\d.,])\d{1,3}(?:" + _SPACE + r"\d{3})+[.,]\d{1,2}(?![\d]|[.,]\d)"  # with decimals
    r"|(?<![\d.,+])(?<![\d+]" + _SPACE + r")\d{1,3}(?:" + _SPACE + r"\d{3})+(?![\d]|[.,]\d|" + _SPACE + r"\d)"
)


def amount_readings(printed: str) -> list[Decimal]:
    """What a printed number can mean, most likely first. One separator kind before exactly three
    digits is ambiguous (1.591 is 1591 in Indonesia and Germany, 1.591 where three decimals are
    printed): both readings, thousands first. Malformed groups read as nothing."""
    seps = [c for c in printed if not c.isdigit()]
    if not printed or not printed[0].isdigit() or not printed[-1].isdigit():
        return []
    if not seps:
        return [Decimal(printed)]
    last = max(printed.rfind(c) for c in set(seps))
    head, tail = printed[:last], printed[last + 1 :]
    kinds = set(seps)
    if len(kinds) > 2 or not all(c in _GROUP_SEPARATORS for c in kinds):
        return []
    grouped = _groups_of_three(head)
    if len(kinds) == 2:  # 1.234,56 / 1,234.56 / 1 234,56: the last separator is the decimal one
        decimal = printed[last]
        if decimal not in ".," or grouped is None or decimal in head:
            return []
        return [Decimal(f"{grouped}.{tail}")]
    sep = seps[0]
    if len(seps) > 1:  # 1.591.600 / 1,591,600 / 1 591 600: groups of thousands, no decimals
        whole = _groups_of_three(printed)
        return [Decimal(whole)] if whole is not None else []
    decimal = [Decimal(f"{head}.{tail}")] if sep in ".," else []
    if len(tail) == 3 and len(head) <= 3:
        return [Decimal(head + tail), *decimal]
    return decimal


def _groups_of_three(printed: str) -> str | None:
    """`1.234.567` -> `1234567`; None unless every group after the first has three digits, or, as
    India groups lakhs and crores with commas, the last three and the others two (`1,25,000`)."""
    parts = re.split(r"[.,'\u00a0\u202f ]", printed)
    if _INDIAN_GROUPS.fullmatch(printed):
        return "".join(parts)
    if not parts[0] or len(parts[0]) > 3 and len(parts) > 1 or any(len(p) != 3 for p in parts[1:]):
        return None
    return "".join(parts)


def printed_amounts(text: str) -> list[tuple[int, int, list[Decimal]]]:
    """Every number printed in `text` with its offsets and what it can mean (see amount_readings)."""
    found = [(m.start(), m.end(), amount_readings(m.group(0))) for m in _PRINTED.finditer(text)]
    found += [(m.start(), m.end(), amount_readings(m.group(0))) for m in _SPACED.finditer(text)]
    return sorted(f for f in found if f[2])


@dataclass(frozen=True)
class PrintedNumber:
    """A number printed on one line: where, its value with the sign printed beside it (`-7,67`,
    `7,67-`), and whether it is printed with cents."""

    start: int
    end: int
    value: Decimal
    with_cents: bool


# A minus after an amount (`12,50-`, as tills print a refund), not the hyphen that joins it to more
# digits or letters (`2024-04-01`, the postcode `100-1234`, `10-TAGE`).
_MINUS_AFTER = re.compile(r"-(?![^\W_])")


def numbers_on_line(line: str) -> list[PrintedNumber]:
    """Each number printed on `line`, in its first reading (see amount_readings), signed."""
    found = []
    for start, end, readings in printed_amounts(line):
        negative = bool(MINUS_BEFORE.search(line[:start])) or bool(_MINUS_AFTER.match(line, end))
        value = -readings[0] if negative else readings[0]
        found.append(PrintedNumber(start, end, value, bool(WITH_CENTS.search(line[start:end]))))
    return found


# Longest first, so that MÄRZ is not read as MÄR with a stray Z.
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_COMPACT_ISO = re.compile(r"(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")
_YEAR_FIRST = re.compile(rf"(?<!\d)(\d{{4}})[/.{_DASH}](\d{{1,2}})[/.{_DASH}](\d{{1,2}})(?!\d)")
_DAY_FIRST = re.compile(rf"(?<!\d)(\d{{1,2}})[/.{_DASH}](\d{{1,2}})[/.{_DASH}](\d{{4}}|\d{{2}})(?!\d)")
# 14. 11. 2018: German typesetting puts a (thin) space after each dot; always day first.
_DAY_FIRST_SPACED = re.compile(
    r"(?<![\d.])(\d{1,2})\.[ \u00a0\u2009\u202f](\d{1,2})\.[ \u00a0\u2009\u202f](\d{4})(?!\d)"
)
# 5 March 2024, 5. März 2024, 5-MAR-18, 1er mars 2024; and month first: March 5, 2024.
_DAY_MONTH_NAME = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:ER|ST|ND|RD|TH)?\.?[ \-/]*({_MONTH_NAMES})(?![^\W\d_]*\d)[^\W\d_]*\.?[ \-/,.]*(\d{{4}}|\d{{2}})(?!\d)",
    re.IGNORECASE,
)
_MONTH_NAME_DAY = re.compile(
    rf"(?<![^\W\d_])({_MONTH_NAMES})[^\W\d_]*\.?[ ]+(\d{{1,2}})(?:ST|ND|RD|TH)?,?[ ]+(\d{{4}})(?!\d)", re.IGNORECASE
)

_DATE_PATTERNS = (_YEAR_FIRST, _DAY_FIRST, _DAY_FIRST_SPACED, _DAY_MONTH_NAME, _MONTH_NAME_DAY)


def parse_date(value: Any) -> dt.date | None:
    """ISO dates and day-first printed dates: 25/12/2018, 12-01-19, 10 MAR 2018, 10.03.2018, 10. 03. 2018.

    Receipts in our data print the day first; a date that cannot be day-first (12/28/2017) is read
    month-first, and a year-first date as year-month-day.
    """
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if _COMPACT_ISO.fullmatch(text):  # 20180304: a whole value of 8 digits, never a fragment of a longer number
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    for pattern in _DATE_PATTERNS:
        if m := pattern.search(text):
            return _to_date(pattern, m)
    return None


def find_dates(text: str) -> list[tuple[int, int, dt.date]]:
    """Every readable date printed in `text`, with its offsets; an ambiguous one (03/04/2024) twice,
    day first and month first, since only the rest of the document can tell (see dates.py)."""
    found = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if (date := _to_date(pattern, m)) is not None:
                found.append((m.start(), m.end(), date))
                if (swapped := month_first(m.group(0))) is not None:
                    found.append((m.start(), m.end(), swapped))
    return sorted(found)


def numeric_order(printed: str) -> tuple[int, int] | None:
    """The first two numbers of a day/month date as printed (03/04/2024 -> (3, 4)), or None when the
    date is not one (ISO, a month name)."""
    m = _DAY_FIRST.fullmatch(printed.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def month_first(printed: str) -> dt.date | None:
    """The month-first reading of an ambiguous printed date (03/04/2024 -> 4 March), else None."""
    m = _DAY_FIRST.fullmatch(printed.strip())
    if m is None or not (int(m.group(1)) <= 12 and int(m.group(2)) <= 12) or m.group(1) == m.group(2):
        return None
    y = int(m.group(3))
    try:
        return dt.date(y + 2000 if y < 100 else y, int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None


def _to_date(pattern: re.Pattern, m: re.Match) -> dt.date | None:
    if pattern is _YEAR_FIRST:
        y, mo, d = map(int, m.groups())
    elif pattern is _DAY_FIRST:
        d, mo, y = map(int, m.groups())
        if mo > 12 >= d:  # 12/28/2017: no 28th month, so this one was printed month first
            d, mo = mo, d
    elif pattern is _DAY_FIRST_SPACED:
        d, mo, y = map(int, m.groups())
    elif pattern is _DAY_MONTH_NAME:
        d, mo, y = int(m.group(1)), _MONTHS[m.group(2).upper()], int(m.group(3))
    else:
        mo, d, y = _MONTHS[m.group(1).upper()], int(m.group(2)), int(m.group(3))
    if y < 100:
        y += 2000
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None
