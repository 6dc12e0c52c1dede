"""Dependencies as the target platform will install them: declared scopes, the lock,
the package index (with an on-disk cache), wheel tags, import names and sizes."""
