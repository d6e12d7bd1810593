"""Pulls from public sources (OpenAlex affiliations; SEC Form D to come): fetched politely over
HTTP (atlas.pull.http), turned into the data model's rows with their sources (one module per
source), and loaded through the same checks, review, transaction and undo as an upload."""
