"""CMS families: one module each, holding the family's markup and URL shapes."""
