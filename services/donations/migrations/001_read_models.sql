create table fund (
    kab text not null,
    kec text not null,
    donations int not null,
    donated_idr bigint not null,
    voided_idr bigint not null,
    spent_idr bigint not null,
    packages_procured int not null,
    primary key (kab, kec)
);

create table monthly_recap (
    kab text not null,
    kec text not null,
    year int not null,
    month int not null,
    donations int not null,
    donated_idr bigint not null,
    voided_idr bigint not null,
    packages_procured int not null,
    spent_idr bigint not null,
    primary key (kab, kec, year, month)
);

create table unit_monthly (
    kab text not null,
    kec text not null,
    year int not null,
    month int not null,
    unit text not null,
    donations int not null,
    amount_idr bigint not null,
    primary key (kab, kec, year, month, unit)
);

create table ledger_donations (
    kab text not null,
    kec text not null,
    donation_id text not null,
    seq bigint not null,
    receipt_year int not null,
    receipt_no int not null,
    received_on date not null,
    unit text not null,
    amount_idr bigint not null,
    voided boolean not null default false,
    voided_on date,
    primary key (kab, kec, donation_id),
    unique (kab, kec, receipt_year, receipt_no)
);

create table ledger_procurements (
    kab text not null,
    kec text not null,
    procurement_id text not null,
    seq bigint not null,
    purchased_on date not null,
    packages int not null,
    unit_price_idr bigint not null,
    total_idr bigint not null,
    supplier text not null,
    balance_after_idr bigint not null,
    primary key (kab, kec, procurement_id)
);
