-- The Chinese of each source's description (a copy with no headline of its own), one row per
-- source that has one: the Chinese pages cite such a source in Chinese.
-- Params: none
select title, title_zh
from sources
where title_kind = 'description' and title_zh is not null
order by title
