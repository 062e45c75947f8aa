"""The knowledge library: the sourced content (`content/`), its tables, the loader that
validates and loads it, the search over it, the expert pool and the institutions' contacts.
Rebuilt from YAML at every load; it holds nothing a user said."""
