-- Households v2: a household's family members, masked as the head is (first letters of
-- the name, the NIK's first and last 4 digits), in the order the household gave them.
alter table households add column member_names_masked text[] not null default '{}';
alter table households add column member_niks_masked text[] not null default '{}';
