create table households (
    household_id text primary key,
    kab text not null,
    kec text not null,
    desa text not null,
    desil int not null,
    registry text not null,
    snapshot_date date not null,
    aid text[] not null,
    name_masked text,
    nik_masked text,
    forgotten boolean not null default false
);
create index households_by_desa on households (kab, kec, desa);

create table aid_changes (
    household_id text not null,
    kab text not null,
    kec text not null,
    as_of date not null,
    aid text[] not null,
    primary key (household_id, as_of)
);

create table rounds (
    round_id text primary key,
    kab text not null,
    kec text not null,
    desa text not null,
    month text not null,
    quota int not null,
    packages int not null default 0,
    closed boolean not null default false
);
create index rounds_by_month on rounds (kab, kec, month);

create table packages (
    package_id text primary key,
    kab text not null,
    kec text not null,
    round_id text not null,
    household_id text not null,
    desa text not null,
    month text not null,
    distributed_on date not null,
    procurement_id text not null,
    value_idr bigint not null
);
create index packages_by_household on packages (household_id, distributed_on);
create index packages_by_date on packages (kab, kec, distributed_on);

create table monthly (
    kab text not null,
    kec text not null,
    desa text not null,
    month text not null,
    packages int not null,
    value_idr bigint not null,
    households_reached int not null,
    primary key (kab, kec, desa, month)
);

create table stock (
    kab text not null,
    kec text not null,
    procured int not null default 0,
    distributed int not null default 0,
    primary key (kab, kec)
);

create table kecamatan (
    kab text not null,
    kec text not null,
    name text not null,
    primary key (kab, kec)
);

create table desa (
    kab text not null,
    kec text not null,
    code text not null,
    name text not null,
    position int not null,
    primary key (kab, kec, code)
);

create table rounds_due (
    kab text not null,
    kec text not null,
    desa text not null,
    month text not null,
    activity_id text not null,
    held_on date not null,
    primary key (kab, kec, desa, month)
);
