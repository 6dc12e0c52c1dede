-- Each task's title, description and tags case-folded by Python, for searches and tag
-- filters that fold all of Unicode on SQLite and under any PostgreSQL locale, and the
-- version they are folds of (todo_api/tasks/folding.py says why both). The folds of the
-- tasks already stored are written by Python in this migration's transaction
-- (storage/migrate.py, fold_stored_tasks), since SQL cannot fold them.
ALTER TABLE tasks ADD COLUMN title_folded TEXT;
ALTER TABLE tasks ADD COLUMN description_folded TEXT;
ALTER TABLE tasks ADD COLUMN tags_folded TEXT;
ALTER TABLE tasks ADD COLUMN folded_version INTEGER;
