"""The codes the services answer (statuses, categories, aid, roles, services, fields) in words."""

from __future__ import annotations

Pair = tuple[str, str]

CODES: dict[str, dict[str, Pair]] = {
    "finding_status": {
        "RECORDED": ("Tercatat", "Recorded"),
        "FOLLOWED_UP": ("Ditindaklanjuti", "Followed up"),
        "RESOLVED": ("Selesai", "Resolved"),
        "DISMISSED": ("Ditolak", "Dismissed"),
    },
    "category": {
        "KEHADIRAN": ("Kehadiran", "Attendance"),
        "PELAYANAN": ("Pelayanan publik", "Public service"),
        "ETIKA": ("Etika", "Ethics"),
        "ADMINISTRASI": ("Administrasi", "Administration"),
        "KEUANGAN": ("Keuangan", "Finance"),
        "GRATIFIKASI": ("Gratifikasi", "Gratuities"),
    },
    "severity": {
        "RINGAN": ("Ringan", "Minor"),
        "SEDANG": ("Sedang", "Moderate"),
        "BERAT": ("Berat", "Serious"),
    },
    "source": {
        "SERASA_DESA": ("Kunjungan Serasa Desa", "Serasa Desa village visit"),
        "INSPEKTORAT": ("Inspektorat", "Inspectorate"),
        "PENGADUAN": ("Pengaduan warga", "Complaint from a resident"),
        "INTERNAL": ("Pengawasan internal", "Internal review"),
    },
    "aid": {
        "PKH": ("PKH (Program Keluarga Harapan)", "PKH (family hope programme)"),
        "BPNT": ("BPNT / Program Sembako", "BPNT / food aid programme"),
        "BLT_DD": ("BLT Dana Desa", "BLT village-fund cash aid"),
        "PBI_JK": ("PBI JK (BPJS Kesehatan)", "PBI JK (state-paid health insurance)"),
        "OTHER": ("Bantuan lain", "Other aid"),
    },
    "aid_short": {
        "PKH": ("PKH", "PKH"),
        "BPNT": ("BPNT", "BPNT"),
        "BLT_DD": ("BLT DD", "BLT DD"),
        "PBI_JK": ("PBI JK", "PBI JK"),
        "OTHER": ("Lainnya", "Other"),
    },
    "registry": {
        "DTKS": ("DTKS (Data Terpadu Kesejahteraan Sosial)", "DTKS (integrated welfare data)"),
        "DTSEN": (
            "DTSEN (Data Tunggal Sosial Ekonomi Nasional)",
            "DTSEN (national socio-economic data)",
        ),
    },
    "role": {
        "admin": ("Admin", "Admin"),
        "camat": ("Camat", "Camat"),
        "operator": ("Operator desa", "Village operator"),
        "auditor": ("Auditor", "Auditor"),
        "bendahara": ("Bendahara", "Treasurer"),
    },
    "service": {
        "scheduler": ("Jadwal kegiatan", "Activity rota"),
        "donations": ("Dana dan donasi", "Fund and donations"),
        "distribution": ("Penyaluran paket", "Package distribution"),
        "integrity": ("Temuan dan pengawasan", "Findings and oversight"),
        "gateway": ("Gerbang API dan dasbor", "API gateway and dashboard"),
    },
    # H3 books: expenses and the cash book
    "expense_category": {
        "TRANSPORT": ("Transportasi", "Transport"),
        "KEMASAN": ("Kemasan", "Packaging"),
        "ADMINISTRASI": ("Administrasi (ATK, meterai)", "Administration (stationery, stamps)"),
        "LAINNYA": ("Lainnya", "Other"),
    },
    "cashbook_kind": {
        "DONATION": ("Donasi", "Donation"),
        "VOID": ("Pembatalan donasi", "Donation voided"),
        "PROCUREMENT": ("Pembelian paket", "Packages bought"),
        "EXPENSE": ("Pengeluaran", "Expense"),
    },
    # H5 documents: a finding's subject type (findings v2), as the SKK report lists it
    "subject_type": {
        "ASN": ("ASN", "Civil servant (ASN)"),
        "KEPALA_DESA": ("Kepala desa", "Village head"),
        "PERANGKAT_DESA": ("Perangkat desa", "Village official"),
    },
    # H4 findings v2: the sanctions of PP 94/2021 (ASN) and UU 6/2014 (village officials)
    "sanction": {
        "TEGURAN_LISAN": ("Teguran lisan", "Verbal reprimand"),
        "TEGURAN_TERTULIS": ("Teguran tertulis", "Written reprimand"),
        "PERNYATAAN_TIDAK_PUAS": (
            "Pernyataan tidak puas secara tertulis",
            "Written statement of dissatisfaction",
        ),
        "POTONG_TUKIN_25_6B": (
            "Pemotongan tunjangan kinerja 25% selama 6 bulan",
            "Performance allowance cut by 25% for 6 months",
        ),
        "POTONG_TUKIN_25_9B": (
            "Pemotongan tunjangan kinerja 25% selama 9 bulan",
            "Performance allowance cut by 25% for 9 months",
        ),
        "POTONG_TUKIN_25_12B": (
            "Pemotongan tunjangan kinerja 25% selama 12 bulan",
            "Performance allowance cut by 25% for 12 months",
        ),
        "TURUN_JABATAN_12B": (
            "Penurunan jabatan setingkat lebih rendah selama 12 bulan",
            "Demotion by one grade for 12 months",
        ),
        "BEBAS_JABATAN_12B": (
            "Pembebasan dari jabatan menjadi pelaksana selama 12 bulan",
            "Relieved of the position for 12 months",
        ),
        "PEMBERHENTIAN_SEMENTARA": ("Pemberhentian sementara", "Temporary suspension"),
        "PEMBERHENTIAN": ("Pemberhentian", "Dismissal"),
    },
    # H2 hand-outs v2: who received a package
    "relation": {
        "SENDIRI": ("KK sendiri", "The head"),
        "KELUARGA": ("Keluarga", "Family member"),
        "WAKIL": ("Wakil/kuasa", "Representative"),
    },
}
"""Every code a page shows, per kind: (Bahasa Indonesia, English)."""

FIELDS: dict[str, Pair] = {
    "no_kk": ("No. KK", "Family card number (No. KK)"),
    "nik": ("NIK", "NIK (ID number)"),
    "name": ("Nama kepala keluarga", "Name of the head of household"),
    "desa": ("Desa/Kelurahan", "Desa/Kelurahan"),
    "address": ("Alamat", "Address"),
    "desil": ("Desil", "Decile"),
    "registry": ("Basis data", "Registry"),
    "snapshot_date": ("Tanggal data", "Date of the registry data"),
    "aid": ("Bantuan", "Aid"),
    "as_of": ("Berlaku mulai", "From"),
    "month": ("Bulan", "Month"),
    "quota": ("Kuota", "Quota"),
    "household_id": ("Rumah tangga", "Household"),
    "distributed_on": ("Tanggal penyerahan", "Date handed out"),
    "unit": ("Unit/desa", "Unit/desa"),
    "category": ("Kategori", "Category"),
    "severity": ("Tingkat", "Severity"),
    "found_on": ("Tanggal temuan", "Found on"),
    "source": ("Sumber", "Source"),
    "description": ("Uraian", "Description"),
    "visit_id": ("Kunjungan", "Visit"),
    "official_ref": ("Nomor surat", "Reference number"),
    "action": ("Tindakan", "Action taken"),
    "sanction": ("Sanksi", "Sanction"),
    "reason": ("Alasan", "Reason"),
    "file": ("Berkas", "File"),
    # H3 books
    "spent_on": ("Tanggal pengeluaran", "Date spent"),
    "expense_amount_idr": ("Jumlah (Rp)", "Amount (Rp)"),
    "period": ("Bulan buku", "Month of the books"),
    # H2 hand-outs v2 and stock
    "received_by": ("Penerima", "Received by"),
    "relation": ("Diterima oleh", "Received by"),
    "packages": ("Jumlah paket (+/-)", "Packages (+/-)"),
    "adjusted_on": ("Tanggal penyesuaian", "Date adjusted"),
    # H1 households v2
    "members": ("Anggota keluarga", "Family members"),
    "program": ("Program bantuan", "Aid programme"),
    # H4 findings v2
    "subject_type": ("Subjek temuan", "Whom the finding concerns"),
    "official": ("Aparatur (NIP atau nama)", "Official (NIP or name)"),
}
"""The names of the fields people fill in, as a form labels them."""

HINTS: dict[str, Pair] = {
    "no_kk": ("harus 16 angka, tanpa spasi atau titik", "must be 16 digits, no spaces or dots"),
    "nik": ("harus 16 angka, tanpa spasi atau titik", "must be 16 digits, no spaces or dots"),
    "name": (
        "wajib diisi, satu baris, paling banyak 200 huruf",
        "is required: one line, 200 letters at most",
    ),
    "desa": (
        "harus kode desa kecamatan ini, mis. 35.20.05.2004",
        "must be a desa code of this kecamatan, e.g. 35.20.05.2004",
    ),
    "address": ("wajib diisi, paling banyak 500 huruf", "is required, 500 letters at most"),
    "desil": ("harus angka 1 sampai 10", "must be a number from 1 to 10"),
    "registry": ("harus DTKS atau DTSEN", "must be DTKS or DTSEN"),
    "snapshot_date": (
        "harus tanggal TTTT-BB-HH yang tidak di masa depan",
        "must be a date YYYY-MM-DD, not in the future",
    ),
    "aid": (
        "hanya boleh berisi PKH, BPNT, BLT_DD, PBI_JK atau OTHER, dipisah tanda |",
        "may hold only PKH, BPNT, BLT_DD, PBI_JK or OTHER, separated by |",
    ),
    "as_of": ("harus tanggal TTTT-BB-HH", "must be a date YYYY-MM-DD"),
    "month": ("harus bulan TTTT-BB", "must be a month YYYY-MM"),
    "quota": ("harus angka 1 sampai 100.000", "must be a number from 1 to 100,000"),
    "distributed_on": (
        "harus tanggal di bulan putaran ini",
        "must be a date in this round's month",
    ),
    "found_on": (
        "harus tanggal TTTT-BB-HH yang tidak di masa depan",
        "must be a date YYYY-MM-DD, not in the future",
    ),
    "official_ref": (
        "huruf, angka dan . _ / - saja, tanpa spasi, dengan paling sedikit satu angka",
        "letters, digits and . _ / - only, no spaces, with at least one digit",
    ),
    # H1 households v2
    "members": (
        "tiap anggota: NIK 16 angka lalu nama (di berkas impor: NIK:Nama, dipisah tanda |)",
        "each member: a 16-digit NIK, then the name (in an import file: NIK:Name, split by |)",
    ),
    # H4 findings v2
    "official": (
        "satu baris, paling banyak 120 huruf: NIP 18 angka (boleh dengan spasi) atau nama",
        "one line, 120 letters at most: an 18-digit NIP (spaces allowed) or a name",
    ),
    "sanction": (
        "harus sanksi yang sesuai dengan subjek dan tingkat temuan",
        "must be a sanction that fits the finding's subject and severity",
    ),
}
"""What a field must hold, in plain words: said instead of a pattern nobody can read."""


def humane(code: str) -> str:
    """A code nobody translated yet, readable at least: `NEW_THING` -> `New thing`."""
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower() if words.isupper() else words
