"""The exported article record: its JSON Schema (article.schema.json) and
the code that normalizes and validates an article against it (article)."""
