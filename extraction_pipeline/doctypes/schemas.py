"""Field types for the models of document-type packs, and the JSON schema a model is sent as.

A pack's model gives the JSON schema sent to the LLM and validates what comes back, so the two can
never drift apart. The types here carry what small models get wrong (dates reformatted, money as
floats, a legal form for a name), so that every pack, built-in or a user's, can reuse them.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Callable

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from extraction_pipeline.extraction.values import iso_currency, parse_date, read_amount


def _one_line(value: Any) -> Any:
    """Copied lines keep their OCR line breaks and tabs; a field value is one line."""
    return " ".join(value.split()) if isinstance(value, str) else value


NonEmpty = Annotated[str, BeforeValidator(_one_line), StringConstraints(min_length=1, max_length=500)]


def _read_printed(read: Callable[[str], Any], problem: str) -> BeforeValidator:
    """A validator that reads a value the model copied as printed (`"1.234,56"`, `"25/12/2018"`) in
    its notation instead of rejecting it; a value of another type passes through to pydantic."""

    def validate(value: Any) -> Any:
        if isinstance(value, str):
            parsed = read(value)
            if parsed is None:
                raise ValueError(problem)
            return parsed
        return value

    return BeforeValidator(validate)


_printed_amount = _read_printed(read_amount, "not an amount; give it as a plain number, e.g. 1234.56")


# Money is a Decimal (no binary-float drift), but the LLM is told it is a plain JSON number.
Amount = Annotated[
    Decimal,
    _printed_amount,
    Field(ge=0, max_digits=14, decimal_places=2),
    WithJsonSchema({"type": "number", "description": "amount as a plain number, no currency symbol"}),
]

# A bank line's amount: money out is negative, as statements print it.
SignedAmount = Annotated[
    Decimal,
    _printed_amount,
    Field(max_digits=14, decimal_places=2),
    WithJsonSchema(
        {"type": "number", "description": "amount as a plain number, negative where printed so (a debit, a discount)"}
    ),
]


# Small models swap day and month when asked to reformat a date (12-01-19 became 2019-12-01 in our
# tests). Asking for the date as printed and parsing it here, day first as receipts print it, is exact.
PrintedDate = Annotated[
    dt.date,
    _read_printed(parse_date, "not a date in a known form (day first, e.g. 25/12/2018, or ISO YYYY-MM-DD)"),
    WithJsonSchema({"type": "string", "description": "the date exactly as printed on the document"}),
]
CurrencyCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8)]
# The ISO code a schema asks for, where the model gave a sign that names one currency (`Kč`).
IsoCurrencyCode = Annotated[CurrencyCode, AfterValidator(iso_currency)]


# "(M)" marks a Malaysian company; the rest are legal forms and the words that pad them.
LEGAL_FORMS = {
    "SDN",
    "BHD",
    "S/B",
    "SB",
    "M",
    "LTD",
    "LIMITED",
    "INC",
    "LLC",
    "GMBH",
    "CO",
    "PLC",
    "ENTERPRISE",
    "TRADING",
    "THE",
}


def _a_name(value: str) -> str:
    """A seller's name is more than its legal form: 'SDN BHD' alone is half an answer."""
    words = [w.strip(".,()&").upper() for w in value.split()]
    if all(w in LEGAL_FORMS or not w for w in words):
        raise ValueError(
            "is only a legal form; give the business name in full as printed, e.g. 'MR. D.I.Y. (M) SDN BHD'"
        )
    return value


CompanyName = Annotated[NonEmpty, AfterValidator(_a_name)]
# Quantities (3.5 m) and unit prices (9.9000) may carry more decimals than money does.
Quantity = Annotated[
    Decimal,
    _printed_amount,
    Field(max_digits=16, decimal_places=4),
    WithJsonSchema({"type": "number", "description": "a plain number"}),
]


# Words of item tables' column headings (lower case), in the languages of our documents. A line
# described only by them is the heading row read as items (`Pos`, `Art-Nr-Kunde`, `Beschreibung`,
# `Menge`: the 1.5B model listed eight such "items" with amounts of 0 on the tuning part).
TABLE_HEADINGS = frozenset(
    """
    pos position nr art artikel artikelnr artikelnummer bezeichnung artikelbezeichnung beschreibung menge
    anzahl einheit me preis einzelpreis nettopreis bruttopreis betrag gesamtpreis steuer ust mwst entgelt
    kunde lief
    item no description qty quantity unit price amount vat tax uom sku
    désignation designation libellé quantité qté prix unitaire montant tva réf référence
    omschrijving aantal prijs eenheidsprijs bedrag btw
""".split()
)

# Units of measure an item table prints beside the count (lower case, without dots). A line
# described by one alone took the row's unit for its name (`KWh` for `Wirkarbeit HT`, on the tuning
# part, where the name is printed on the line below the row's numbers). Not single letters: a
# receipt may sell a size `M` or `L`.
UNITS = frozenset("kwh wh mwh stk st stück std hrs kg ltr km pcs pc pce ea pkt".split())


class LineItem(BaseModel):
    """One line of a receipt's or an invoice's item table."""

    model_config = ConfigDict(extra="forbid")

    description: NonEmpty = Field(description="the item's name or description as printed")
    quantity: Quantity | None = Field(default=None, description="how many, as printed; null if not printed")
    unit_price: Quantity | None = Field(default=None, description="price of one unit; null if not printed")
    line_total: SignedAmount | None = Field(default=None, description="the line's amount as printed")

    @model_validator(mode="after")
    def _prints_a_number(self) -> LineItem:
        """A line of an item table prints a count or a price. A small model asked for every line lists
        the table's headings, payment terms and tax summary too (`Belegsummen:`, `Zahlungsart:`), each
        with nothing but a description: such an entry is refused, re-asked, and dropped if it stays."""
        if self.quantity is None and self.unit_price is None and self.line_total is None:
            raise ValueError(
                "prints no quantity, unit price or amount: it is a heading, a note or a summary line, not an item"
            )
        return self

    @model_validator(mode="after")
    def _not_a_heading(self) -> LineItem:
        """A line described only by words of column headings, and no number, is the table's heading
        row (`Artikel 01` or `Item 3` is an item); one described by a unit alone (`KWh`) is not named."""
        words = re.findall(r"[^\W\d_]+", self.description.lower())
        if words and all(w in TABLE_HEADINGS for w in words) and not re.search(r"\d", self.description):
            raise ValueError("is a column heading of the item table, not an item")
        if re.sub(r"[\s.]", "", self.description.lower()) in UNITS:
            raise ValueError("is the line's unit of measure, not the item's name: give the name as printed for it")
        return self


def llm_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the strict form OpenAI requires (every field required, nulls explicit),
    nested models (`$defs`) included.

    llama.cpp's grammar and plain JSON-schema servers accept the same form.
    """
    schema = copy.deepcopy(model.model_json_schema())
    for node in [schema, *schema.get("$defs", {}).values()]:
        node["required"] = list(node["properties"])
        node["additionalProperties"] = False
        for prop in node["properties"].values():
            for part in [prop, *prop.get("anyOf", []), prop.get("items", {})]:
                for keyword in _UNSUPPORTED_IN_STRICT_MODE:
                    part.pop(keyword, None)
        node.pop("title", None)
    return schema


def only_fields(schema: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """A strict schema from `llm_json_schema` cut down to some of its top-level fields (a re-ask
    asks only for the fields in question); the nested models stay defined."""
    return {**schema, "properties": {f: schema["properties"][f] for f in fields}, "required": list(fields)}


# Pydantic still enforces these; strict-mode servers reject or ignore them.
_UNSUPPORTED_IN_STRICT_MODE = ("default", "title", "minLength", "maxLength")
