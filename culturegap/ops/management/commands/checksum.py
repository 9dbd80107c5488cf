"""``culturegap checksum``: row counts and a checksum of every table, to compare databases."""

from django.core.management.base import BaseCommand

from culturegap.ops.backup import overall_checksum, table_checksums


class Command(BaseCommand):
    help = (
        "Print each table's row count and the SHA-256 of its rows in primary-key order, then "
        "one checksum of them all. Two databases with the same lines hold the same data."
    )

    def handle(self, *args, **options):
        tables = table_checksums()
        width = max((len(t.table) for t in tables), default=5)
        for table in tables:
            self.stdout.write(f"{table.table:<{width}}  {table.rows:>10}  {table.checksum}")
        overall = overall_checksum(tables)
        self.stdout.write(f"{'all tables':<{width}}  {sum(t.rows for t in tables):>10}  {overall}")
