-- The monthly figures recount a desa's month from its packages after every batch that
-- adds to it: through this index the recount reads that month's packages only, however
-- long the kecamatan's history (packages_by_date made it read all of the kecamatan's).
create index packages_by_desa_month on packages (kab, kec, desa, month);
