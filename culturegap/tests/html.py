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
