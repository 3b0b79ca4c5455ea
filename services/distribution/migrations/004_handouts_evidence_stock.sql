-- Hand-outs v2: each package's berita acara number and who received it (the name masked,
-- opened from the sealed event; the head's masked name is read from households when the
-- head took it; `seq` finds its event in the log), the evidence files attached to it, and the stock's adjustments.
alter table packages add column bast_no text;
alter table packages add column relation text;
alter table packages add column received_name_masked text;
alter table packages add column seq bigint;
alter table packages alter column procurement_id drop not null;

create table evidence (
    evidence_id text primary key,
    kab text not null,
    kec text not null,
    package_id text not null,
    sha256 text not null,
    size bigint not null,
    content_type text not null,
    object_name text not null,
    seq bigint not null
);
create index evidence_by_package on evidence (package_id, seq);

alter table stock add column adjusted int not null default 0;
