"""The book's MkDocs hooks (mkdocs.yml loads them by path; tests import them)."""
