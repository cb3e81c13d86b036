"""The typed records we extract, one pydantic model per document type.

The same model gives the JSON schema sent to the LLM and validates what comes back, so the two can
never drift apart.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

from extraction_pipeline.extraction.values import parse_date


def _one_line(value: Any) -> Any:
    """Copied lines keep their OCR line breaks and tabs; a field value is one line."""
    return " ".join(value.split()) if isinstance(value, str) else value


NonEmpty = Annotated[str, BeforeValidator(_one_line), StringConstraints(min_length=1, max_length=500)]
# Money is a Decimal (no binary-float drift), but the LLM is told it is a plain JSON number.
Amount = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2),
    WithJsonSchema({"type": "number", "description": "amount as a plain number, no currency symbol"}),
]


def _printed_date(value: Any) -> Any:
    if isinstance(value, str):
        parsed = parse_date(value)
        if parsed is None:
            raise ValueError("not a date in a known form (day first, e.g. 25/12/2018, or ISO YYYY-MM-DD)")
        return parsed
    return value


# Small models swap day and month when asked to reformat a date (12-01-19 became 2019-12-01 in our
# tests). Asking for the date as printed and parsing it here, day first as receipts print it, is exact.
PrintedDate = Annotated[
    dt.date,
    BeforeValidator(_printed_date),
    WithJsonSchema({"type": "string", "description": "the date exactly as printed on the document"}),
]
CurrencyCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8)]


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


class Receipt(BaseModel):
    """A shop receipt."""

    model_config = ConfigDict(extra="forbid")

    company: CompanyName = Field(description="name of the seller as printed, usually the first line")
    date: PrintedDate = Field(description="date of purchase exactly as printed")
    address: NonEmpty = Field(description="seller's full address as printed, lines joined with spaces")
    total: Amount
    currency: CurrencyCode | None = Field(default=None, description="currency as printed, e.g. RM, USD")


class Invoice(BaseModel):
    """A supplier invoice."""

    model_config = ConfigDict(extra="forbid")

    issuer: CompanyName = Field(description="name of the company that issued the invoice")
    invoice_number: NonEmpty = Field(description="the invoice number as printed")
    date: dt.date = Field(description="invoice date, ISO 8601 (YYYY-MM-DD)")
    total: Amount
    currency: CurrencyCode = Field(description="ISO 4217 code where known, e.g. EUR, USD, MYR")


DOCUMENT_TYPES: dict[str, type[BaseModel]] = {"receipt": Receipt, "invoice": Invoice}


def schema_for(document_type: str) -> type[BaseModel]:
    try:
        return DOCUMENT_TYPES[document_type]
    except KeyError:
        raise ValueError(f"unknown document type {document_type!r}; known: {sorted(DOCUMENT_TYPES)}") from None


# Detect each document's type (receipt, invoice, or other) instead of assuming one.
AUTO = "auto"


def field_names(document_type: str) -> list[str]:
    return list(schema_for(document_type).model_fields)


def fields_for_types(types: set[str]) -> list[str]:
    """The columns of a table holding these document types: their fields, in a stable order."""
    fields: list[str] = []
    for name in DOCUMENT_TYPES:
        if name in types:
            fields += [f for f in field_names(name) if f not in fields]
    return fields


def llm_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the strict form OpenAI requires (every field required, nulls explicit).

    llama.cpp's grammar and plain JSON-schema servers accept the same form.
    """
    schema = copy.deepcopy(model.model_json_schema())
    schema["required"] = list(schema["properties"])
    schema["additionalProperties"] = False
    for prop in schema["properties"].values():
        for node in [prop, *prop.get("anyOf", [])]:
            for keyword in _UNSUPPORTED_IN_STRICT_MODE:
                node.pop(keyword, None)
    schema.pop("title", None)
    return schema


# Pydantic still enforces these; strict-mode servers reject or ignore them.
_UNSUPPORTED_IN_STRICT_MODE = ("default", "title", "minLength", "maxLength")
