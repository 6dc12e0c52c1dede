"""Files attached to tasks: metadata in the database, bytes in the blob store."""
