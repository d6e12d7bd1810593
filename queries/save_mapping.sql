-- Saves a column mapping under its name, replacing one saved before under that name (a write,
-- run by atlas.mapping.save). Returns the name.
-- Params: $name (VARCHAR), $target (VARCHAR), $columns (VARCHAR, JSON), $header_key (VARCHAR), $saved_by (VARCHAR)
insert or replace into column_mappings (name, target, columns, header_key, saved_by, saved_at)
values ($name, $target, $columns, $header_key, $saved_by, current_timestamp)
returning name
