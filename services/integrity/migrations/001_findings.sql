create table findings (
    kab text not null,
    kec text not null,
    finding_id text not null,
    unit text not null,
    unit_name text not null,
    desa text,
    official_token text,
    category text not null,
    severity text not null,
    source text not null,
    found_on date not null,
    visit_id text,
    status text not null,
    follow_ups int not null default 0,
    closed_on date,
    last_seq bigint not null,
    primary key (kab, kec, finding_id)
);
create index findings_by_date on findings (kab, kec, found_on);
create index findings_by_visit on findings (kab, kec, visit_id) where visit_id is not null;

create table visits (
    kab text not null,
    kec text not null,
    visit_id text not null,
    host_desa text,
    planned_on date not null,
    held_on date not null,
    last_seq bigint not null,
    primary key (kab, kec, visit_id)
);
create index visits_by_date on visits (kab, kec, held_on);
