"""A cell drawn apart from its table row is put back on it; nothing else moves (documents/table_rows.py)."""

from extraction_pipeline.documents.table_rows import PlacedLine, rows_rejoined

CHAR = 6.0  # Courier at 10 pt


def line(text: str, x: float, y: float, upright: bool = True) -> PlacedLine:
    """`text` drawn from `x` on the baseline `y`, one character every 6 pt, 10 pt high."""
    lefts = tuple(None if ch == " " else x + i * CHAR for i, ch in enumerate(text))
    rights = tuple(None if left is None else left + CHAR for left in lefts)
    return PlacedLine(text, lefts, rights, y + 10, y, upright)


ROW = line("1 KR3M                 3,00 m2 4,00 12,00 19", 20, 300)
NAME = line("Kunstrasen", 80, 300)  # in the row's gap, drawn after the page's footer


def test_a_cell_in_a_rows_gap_is_moved_onto_the_row_at_its_place():
    texts, moved = rows_rejoined([ROW, line("Total 12,00", 20, 280), NAME])
    assert moved == 1
    assert texts == ["1 KR3M Kunstrasen 3,00 m2 4,00 12,00 19", "Total 12,00"]


def test_lines_beside_a_row_or_over_its_characters_stay_where_they_were():
    beside = line("Seite 1", 320, 300)  # right of the row's span: a block beside the table
    over = line("KR3M", 32, 301)  # over the row's own characters
    assert rows_rejoined([ROW, beside, over]) == ([ROW.text, beside.text, over.text], 0)
    lower = line("Kunstrasen", 80, 294)  # at another height (overlapping under half)
    assert rows_rejoined([ROW, lower]) == ([ROW.text, lower.text], 0)


def test_only_rows_take_cells_and_only_words_are_taken():
    no_row = line("Lieferant               Kunde", 20, 300)  # no amount: a header, not a row
    assert rows_rejoined([no_row, NAME])[1] == 0
    sign = line("€", 80, 300)  # one character
    turned = line("Kunstrasen", 80, 300, upright=False)  # a watermark drawn turned
    assert rows_rejoined([ROW, sign, turned])[1] == 0
    other_row = line("2,00 4,00 8,00", 60, 300)  # in the gap too, but a row is not a cell
    assert rows_rejoined([ROW, other_row])[1] == 0


def test_two_cells_of_one_row_each_go_to_their_own_gap():
    row = line(" 1 TB100A4                 20 Stk.       198,00 19", 20, 300)
    name, price = line("Trennblätter A4", 80, 300), line("9,90", 232, 300)
    texts, moved = rows_rejoined([row, price, name])
    assert (texts, moved) == ([" 1 TB100A4 Trennblätter A4 20 Stk. 9,90 198,00 19"], 2)


def test_a_value_drawn_apart_from_its_label_is_moved_onto_the_labels_line():
    """i2d-QualityHosting (a real invoice of the tuning part) draws its header box's labels first,
    then their values: `Rechnungsdatum`, `30064443 Kundennr.`, `7. Mai 2014`, ..., `Rechnungsnr.`."""
    date_key, number_key = line("Rechnungsdatum", 20, 500), line("Rechnungsnr.", 20, 488)
    number, date = line("30064443 Kundennr.", 124, 488), line("7. Mai 2014", 124, 500)
    texts, moved = rows_rejoined([date_key, number, date, number_key])
    assert (texts, moved) == (["Rechnungsdatum 7. Mai 2014", "Rechnungsnr. 30064443 Kundennr."], 2)


def test_only_a_figure_close_beside_a_lone_label_is_its_value():
    key = line("FSN:", 20, 500)
    far = line("10 48 MB/s Memory Card", 110, 500)  # another column, 66 pt (6.6 heights) away
    customer, words = line("Kunde:", 20, 450), line("Beta AG 2", 70, 450)  # begins with a letter: not a value
    longer = line("Bitte zahlen bis", 20, 400)  # three words: a sentence, not a label
    after = line("30.06.2024", 122, 400)
    assert rows_rejoined([key, far, customer, words, longer, after])[1] == 0


def test_a_cell_wrapped_over_lines_and_drawn_far_from_its_row_is_moved_onto_it():
    """The FNFE Factur-X rendering (a Mustang sample of the tuning part) draws a row's name over two
    lines, half a line higher than the row, after the page's footer."""
    row = line("1                     60,00 PCE 1,00 60,00 10,00%", 20, 300)
    name, detail = line("PRESTATION", 50, 307), line("Période", 50, 297)
    footer = [line(f"Page 1 / 1 {i}", 20, 100 - 12 * i) for i in range(5)]
    texts, moved = rows_rejoined([row, *footer, name, detail])
    assert texts == ["1 PRESTATION Période 60,00 PCE 1,00 60,00 10,00%", *(f.text for f in footer)]
    assert moved == 2
    # Drawn within four lines of its row, a name is read with it already: the run stays apart.
    texts, _ = rows_rejoined([row, name, detail, *footer])
    assert "PRESTATION" in texts and "1 PRESTATION Période 60,00 PCE 1,00 60,00 10,00%" not in texts
