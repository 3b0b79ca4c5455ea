create table kecamatan (
    kab text not null,
    kec text not null,
    code text not null,
    name text not null,
    desa jsonb not null,
    units jsonb not null,
    fifth_friday text,
    days_off jsonb not null,
    primary key (kab, kec)
);

create table calendar (
    kab text not null,
    kec text not null,
    activity_id text not null,
    year int not null,
    month int not null,
    kind text not null,
    planned_for date not null,
    date date not null,
    host_desa text,
    status text not null,
    note text,
    held_on date,
    officials int,
    residents int,
    primary key (kab, kec, activity_id)
);
create index calendar_month on calendar (kab, kec, year, month);

create table execution_rate (
    kab text not null,
    kec text not null,
    year int not null,
    month int not null,
    kind text not null,
    scheduled int not null,
    held int not null,
    primary key (kab, kec, year, month, kind)
);

create table attendance (
    kab text not null,
    kec text not null,
    year int not null,
    desa text not null,
    kind text not null,
    held int not null,
    officials bigint not null,
    residents bigint not null,
    primary key (kab, kec, year, desa, kind)
);

create table rotation (
    kab text not null,
    kec text not null,
    kind text not null,
    desa text not null,
    turns int not null,
    last_round int not null,
    last_planned_for date not null,
    primary key (kab, kec, kind, desa)
);
