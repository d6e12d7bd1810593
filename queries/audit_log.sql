-- The audit log (admins), newest first: one row per event, saying who did what and when, with the
-- data version: every load, undo and merge (from uploads), every saved view, and the events of
-- audit_events (deleted views, refused writes).
-- Params: $limit (INTEGER)
with

events as (
    select uploaded_at as happened_at, uploader as who, uploader_email as email,
        case mode when 'build' then 'build from the seed' when 'undo' then 'undo' when 'merge' then 'merge'
            else mode || ' upload' end as action,
        file_names as detail, upload_id as data_version
    from uploads
    union all
    select saved_at, saved_by, saved_by_email, 'save view', name || ' (?view=' || slug || ')', data_version
    from saved_views
    union all
    select happened_at, who, email, action, detail, data_version from audit_events
)

select * from events
order by happened_at desc, data_version desc
limit $limit
