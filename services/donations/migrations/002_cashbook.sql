create table cashbook (
    kab text not null,
    kec text not null,
    kind text not null,
    ref text not null,
    seq bigint not null,
    day date not null,
    in_idr bigint not null,
    out_idr bigint not null,
    receipt_no int,
    unit text,
    supplier text,
    packages int,
    category text,
    description text,
    primary key (kab, kec, kind, ref)
);

create index cashbook_by_day on cashbook (kab, kec, day, seq);

create table periods (
    kab text not null,
    kec text not null,
    period text not null,
    closing_idr bigint not null,
    seq bigint not null,
    primary key (kab, kec, period)
);
