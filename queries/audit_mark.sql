-- One row: what the audit log (audit_log.sql) reads, in a few numbers that change whenever it does:
-- its three sources' row counts and latest entries. The Data page keeps the log as it showed it
-- until these change (a saved view or a refusal writes no new data version).
-- Params: none
select
    (select count(*) from uploads) as uploads,
    (select max(upload_id) from uploads) as last_upload,
    (select count(*) from saved_views) as saved_views,
    (select max(saved_at) from saved_views) as last_saved,
    (select count(*) from audit_events) as events,
    (select max(happened_at) from audit_events) as last_event
