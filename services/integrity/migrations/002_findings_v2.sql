-- FindingRecorded v2: whom a finding concerns (`subject_type`, ASN before v2) and the id
-- of the official it names. A v1 event's `official_token` is read as its official's id,
-- so the column keeps its values under its new name.
alter table findings rename column official_token to official_id;
alter table findings add column subject_type text not null default 'ASN';
create index findings_by_official on findings (kab, kec, official_id, found_on)
    where official_id is not null;
