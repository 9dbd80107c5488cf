"""Reading a page's tables in tests, to compare them with their CSV exports."""

from html.parser import HTMLParser


class _TableCells(HTMLParser):
    """The text of every cell of the <table id=...>, row by row, header row first."""

    def __init__(self, table_id):
        super().__init__()
        self.table_id = table_id
        self.inside = self.found = False
        self.rows, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = self.found = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def html_table(page: str, table_id: str) -> list[list[str]]:
    """The cells of the page's <table id=table_id> as text, row by row, header row first."""
    parser = _TableCells(table_id)
    parser.feed(page)
    assert parser.found, f"The page has no <table id={table_id!r}>."
    return parser.rows


def _page_number(text: str) -> tuple[float, int] | None:
    """A number as a page writes it ("£1,904,500", "96.6 %", "CHF 1,234") → (value, decimals)."""
    bare = text.removesuffix(" %").replace(",", "").lstrip("£€$")
    bare = bare.split(" ")[-1]  # "CHF 1234"
    sign = -1 if text.startswith("-") else 1
    bare = bare.lstrip("-").lstrip("£€$")
    try:
        value = float(bare)
    except ValueError:
        return None
    return sign * value, len(bare.partition(".")[2])


def same_cell(exported: str, shown: str) -> bool:
    """A CSV cell (a plain number, empty for none) is the page's cell (thousands separated, the
    measure's decimals, money with its currency, a dash for none)."""
    if exported == "":
        return shown == "–"
    if exported == shown:
        return True
    number = _page_number(shown)
    try:
        value = float(exported)
    except ValueError:
        return False
    if number is None:
        return False
    written, decimals = number
    return abs(written - value) <= 0.5 * 10**-decimals + 1e-9


def assert_export_is_the_page(exported: list[list[str]], shown: list[list[str]]) -> None:
    """Every cell of the CSV is the page's, row by row (see same_cell)."""
    assert len(exported) == len(shown), (exported, shown)
    for csv_row, page_row in zip(exported, shown, strict=True):
        assert len(csv_row) == len(page_row), (csv_row, page_row)
        for csv_cell, page_cell in zip(csv_row, page_row, strict=True):
            assert same_cell(csv_cell, page_cell), (csv_cell, page_cell, csv_row, page_row)
