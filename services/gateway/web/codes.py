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
}
"""What a field must hold, in plain words: said instead of a pattern nobody can read."""


def humane(code: str) -> str:
    """A code nobody translated yet, readable at least: `NEW_THING` -> `New thing`."""
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower() if words.isupper() else words
