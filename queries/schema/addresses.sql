-- Uploads, their sources and saved views once recorded who made them as "Name <address>". The
-- address is for admins only (uploader_email, saved_by_email, the audit log); what every reader
-- reads keeps the name alone (or the address's local part, where no name was given).
update uploads set uploader = coalesce(
    nullif(trim(regexp_replace(uploader, '\s*<[^<>\s]+@[^<>\s]+>', '', 'g')), ''),
    regexp_extract(uploader, '<([^<>@\s]+)@', 1))
where regexp_matches(uploader, '<[^<>\s]+@[^<>\s]+>');
update sources set publisher = coalesce(
    nullif(trim(regexp_replace(publisher, '\s*<[^<>\s]+@[^<>\s]+>', '', 'g')), ''),
    regexp_extract(publisher, '<([^<>@\s]+)@', 1))
where kind = 'upload' and regexp_matches(publisher, '<[^<>\s]+@[^<>\s]+>');
update saved_views set saved_by = coalesce(
    nullif(trim(regexp_replace(saved_by, '\s*<[^<>\s]+@[^<>\s]+>', '', 'g')), ''),
    regexp_extract(saved_by, '<([^<>@\s]+)@', 1))
where regexp_matches(saved_by, '<[^<>\s]+@[^<>\s]+>');
