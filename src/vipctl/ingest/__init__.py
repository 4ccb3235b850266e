"""Reading the files people have into the book: CSV reading (encodings, delimiters, bounds),
cell parsers, the row and cross-row checks, the read-ahead process and the importer.

May import: ``rules``, ``store`` and ``book`` (an import writes rows, then keeps the book's
derived facts in step), and the top-level modules.
"""
