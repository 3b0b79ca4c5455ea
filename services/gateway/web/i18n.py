"""Words of the dashboard and the report in Bahasa Indonesia (default) and English."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.web.codes import CODES, FIELDS, HINTS, humane
from services.gateway.web.form_texts import FORM_TEXTS
from services.gateway.web.texts import RECORD_TEXTS

LANGS = ("id", "en")

TEXTS: dict[str, tuple[str, str]] = {
    "app": ("Jumat SMART", "Jumat SMART"),
    "signin": ("Masuk", "Sign in"),
    "signout": ("Keluar", "Sign out"),
    "username": ("Nama pengguna", "Username"),
    "password": ("Kata sandi", "Password"),
    "bad_login": (
        "Nama pengguna atau kata sandi salah.",
        "The username or the password is wrong.",
    ),
    "need_signin": ("Silakan masuk terlebih dahulu.", "Please sign in first."),
    "forbidden": (
        "Anda tidak berwenang membuka halaman ini.",
        "You are not allowed to open this page.",
    ),
    "error": ("Terjadi kesalahan", "Something went wrong"),
    "error_code": ("Kode untuk petugas teknis:", "Code for technical support:"),
    "back": ("Kembali", "Back"),
    "choose_kec": ("Pilih kecamatan", "Choose a kecamatan"),
    "kec_code": ("Kode kecamatan", "Kecamatan code"),
    "code": ("Kode", "Code"),
    "open": ("Buka", "Open"),
    "year": ("Tahun", "Year"),
    "month": ("Bulan", "Month"),
    "show": ("Tampilkan", "Show"),
    "overview": ("Ringkasan", "Overview"),
    "rota": ("Jadwal", "Rota"),
    "fund": ("Dana", "Fund"),
    "distribution": ("Distribusi", "Distribution"),
    "findings": ("Temuan", "Findings"),
    "system": ("Sistem", "System"),
    "households": ("Rumah tangga", "Households"),
    "import": ("Impor", "Import"),
    "report": ("Laporan SKK", "SKK report"),
    "transparency": ("Transparansi", "Transparency"),
    "kecamatan": ("Kecamatan", "Kecamatan"),
    "desa": ("Desa/Kelurahan", "Desa/Kelurahan"),
    "activities": ("Kegiatan", "Activities"),
    "scheduled": ("Terjadwal", "Scheduled"),
    "held": ("Terlaksana", "Held"),
    "cancelled": ("Dibatalkan", "Cancelled"),
    "skipped": ("Dilewati", "Skipped"),
    "rate": ("Keterlaksanaan", "Execution rate"),
    "attendance": ("Kehadiran", "Attendance"),
    "officials": ("Aparatur", "Officials"),
    "residents": ("Warga", "Residents"),
    "date": ("Tanggal", "Date"),
    "kind": ("Jenis", "Kind"),
    "host": ("Tuan rumah", "Host"),
    "status": ("Status", "Status"),
    "note": ("Catatan", "Note"),
    "donations": ("Donasi", "Donations"),
    "donations_net": ("Donasi (bersih)", "Donations (net)"),
    "spent": ("Belanja paket", "Spent on packages"),
    "balance": ("Saldo", "Balance"),
    "closing_balance": ("Saldo akhir", "Closing balance"),
    "voided": ("Dibatalkan", "Voided"),
    "units_taking_part": ("Unit berdonasi", "Units giving"),
    "unit": ("Unit", "Unit"),
    "months_taking_part": ("Bulan berdonasi", "Months giving"),
    "packages": ("Paket sembako", "Food packages"),
    "packages_procured": ("Paket dibeli", "Packages bought"),
    "value": ("Nilai", "Value"),
    "households_reached": ("Rumah tangga terjangkau", "Households reached"),
    "eligible": ("Rumah tangga layak", "Eligible households"),
    "coverage": ("Cakupan", "Coverage"),
    "is_eligible": ("Layak", "Eligible"),
    "rounds": ("Putaran penyaluran", "Hand-out rounds"),
    "quota": ("Kuota", "Quota"),
    "closed": ("Ditutup", "Closed"),
    "opened": ("Dibuka", "Open"),
    "stock": ("Stok paket", "Package stock"),
    "per_year": ("Temuan per tahun", "Findings per year"),
    "figures_as_of": ("Angka per", "Figures as of"),
    "open_findings": ("Temuan terbuka", "Open findings"),
    "category": ("Kategori", "Category"),
    "severity": ("Tingkat", "Severity"),
    "source": ("Sumber", "Source"),
    "found_on": ("Tanggal temuan", "Found on"),
    "total": ("Jumlah", "Total"),
    "service": ("Layanan", "Service"),
    "up": ("Aktif", "Up"),
    "down": ("Mati", "Down"),
    "pending": ("Antrean peristiwa", "Events pending"),
    "projectors": ("Pemutakhir data", "Read-model updaters"),
    "caught_up": ("Mutakhir", "Caught up"),
    "catching_up": ("Sedang mengejar log", "Catching up with the log"),
    "auto_refresh": ("Diperbarui otomatis tiap 3 detik.", "Refreshes every 3 seconds."),
    "name": ("Nama", "Name"),
    "nik": ("NIK", "NIK"),
    "desil": ("Desil", "Decile"),
    "aid": ("Bantuan", "Aid"),
    "forgotten": ("Dilupakan", "Forgotten"),
    "yes": ("Ya", "Yes"),
    "no": ("Tidak", "No"),
    "all_desa": ("Semua desa", "Every desa"),
    "none": ("Tidak ada data.", "No data."),
    "csv_file": ("Berkas CSV (kolom seperti templat)", "CSV file (the template's columns)"),
    "upload": ("Unggah dan impor", "Upload and import"),
    "uploading": ("Mengunggah", "Uploading"),
    "processing": ("Memproses baris", "Processing lines"),
    "accepted": ("Diterima", "Accepted"),
    "rejected": ("Ditolak", "Rejected"),
    "line": ("Baris", "Line"),
    "field": ("Isian", "Field"),
    "reason": ("Alasan", "Reason"),
    "download": ("Unduh", "Download"),
    "report_intro": (
        "Laporan Sinergisitas Kinerja Kecamatan: kegiatan, dana, paket sembako, temuan,"
        " dan sidik jari log audit.",
        "Sub-district performance report: activities, fund, food packages, findings and"
        " the audit log's fingerprint.",
    ),
    "generated": ("Dibuat", "Generated"),
    "digest": ("Sidik jari log audit", "Audit log digest"),
    "digest_check": ("Periksa dengan", "Check it with"),
    "digest_kept": (
        "Sidik jari log audit ini ditandatangani sistem. Simpan salinannya: siapa pun dapat"
        " memeriksa kelak bahwa tidak ada catatan sampai posisi itu yang diubah, dihapus,"
        " atau disisipkan.",
        "The system signed this fingerprint of the audit log. Keep a copy: anyone can check"
        " later that no record up to that position was changed, removed or inserted.",
    ),
    "signed_at": ("Ditandatangani", "Signed"),
    "audit_key": ("Kunci audit", "Audit key"),
    "no_checkpoint": ("Belum ada sidik jari bertanda tangan.", "No signed fingerprint yet."),
    "public_intro": (
        "Angka keseluruhan program, tanpa data pribadi.",
        "The programme's totals, without personal data.",
    ),
    "findings_count": ("Jumlah temuan", "Findings"),
    "fund_over_time": ("Dana dari bulan ke bulan", "The fund month by month"),
    "per_desa_month": ("Paket per desa dan bulan", "Packages per desa and month"),
    "by_kind": ("Per jenis kegiatan", "By kind of activity"),
    "all_years": ("semua tahun", "all years"),
    "lang_switch": ("English", "Bahasa Indonesia"),
    "million_rp": ("juta Rp", "Rp million"),
    # documents (H5, issue 23): the SKK report's paper form, its narrative, the exports
    "skk_title": (
        "Laporan Sinergisitas Kinerja Kecamatan (SKK)",
        "Sub-district performance report (SKK)",
    ),
    "skk_programmes": ("Program Jumat SMART dan Serasa Desa", "Jumat SMART and Serasa Desa"),
    "fiscal_period": (
        "Periode: {start} s.d. {end} (Tahun Anggaran {year})",
        "Period: {start} to {end} (fiscal year {year})",
    ),
    "narrative": ("Ringkasan program", "The programmes in brief"),
    "nar_jumat": (
        "Sepanjang {year} terjadwal {scheduled} kegiatan Jumat (senam, jalan-jalan,"
        " bersih-bersih, sholawatan dan berbagi); {held} terlaksana ({rate}), dihadiri"
        " {officials} aparatur dan {residents} warga.",
        "In {year}, {scheduled} Friday activities were scheduled (exercise, walkabout,"
        " clean-up, sholawatan and sharing); {held} were held ({rate}), attended by"
        " {officials} officials and {residents} residents.",
    ),
    "nar_serasa": (
        "{held} dari {scheduled} kunjungan Selasa ke desa terlaksana ({rate}), dihadiri"
        " {officials} aparatur dan {residents} warga. Temuan pelanggaran norma aparatur per"
        " tahun: {trend}.",
        "{held} of {scheduled} Tuesday village visits were held ({rate}), attended by"
        " {officials} officials and {residents} residents. Findings against officials per"
        " year: {trend}.",
    ),
    "nar_fund": (
        "Donasi bersih aparatur {donated}; belanja {spent}, untuk {procured} paket sembako"
        " beserta ongkos penyalurannya; saldo akhir tahun {balance}.",
        "The officials gave {donated} (net); {spent} was spent on {procured} food packages"
        " and what it cost to hand them out; the balance at the end of the year was"
        " {balance}.",
    ),
    "nar_packages": (
        "{packages} paket senilai {value} diserahkan kepada {households} rumah tangga"
        " DTKS/DTSEN yang tidak menerima bantuan lain, di {desa} desa.",
        "{packages} packages worth {value} went to {households} DTKS/DTSEN households"
        " receiving no other aid, in {desa} villages.",
    ),
    "nar_findings": (
        "{count} temuan pada {year} ({open} belum selesai); terbanyak dalam kategori {top}.",
        "{count} findings in {year} ({open} not yet resolved); most in the category {top}.",
    ),
    "findings_by_category_subject": (
        "Temuan per kategori dan jenis subjek",
        "Findings by category and subject type",
    ),
    "subject_type_label": ("Jenis subjek", "Subject type"),
    "open_findings_label": ("Belum selesai", "Not resolved"),
    "item": ("Isian", "Item"),
    "value_label": ("Nilai", "Value"),
    "documents": ("Dokumen untuk ditandatangani", "Documents to sign"),
    "documents_intro": (
        "Dokumen PDF berkop surat kecamatan, dengan nomor, nomor halaman, dan kolom tanda"
        " tangan; nama dan NIP pejabat diambil dari pengaturan, bukan dari log.",
        "PDF documents on the kecamatan's letterhead, numbered, with page numbers and"
        " signature blocks; officials' names and NIPs come from the settings, not the log.",
    ),
    "download_receipt": ("Kuitansi (PDF)", "Receipt (PDF)"),
    "download_bast": ("Unduh BAST (PDF)", "Download the BAST (PDF)"),
    "download_bast_recap": ("Rekap BAST putaran (PDF)", "The round's BAST recap (PDF)"),
    "download_spj": ("SPJ bulan ini (PDF)", "This month's SPJ (PDF)"),
    "spj": ("SPJ/LPJ dana per bulan", "Monthly SPJ/LPJ of the fund"),
    "csv_comma": ("Unduh CSV (pemisah koma)", "Download CSV (comma-separated)"),
    "export_recipients": ("Ekspor penerima (XLSX, dengan nama)", "Export recipients (XLSX, named)"),
    "export_recipients_intro": (
        "Untuk verifikasi Dinas Sosial: daftar penerima paket tahun ini dengan nama lengkap."
        " Setiap ekspor dicatat di log (siapa, kapan, berapa baris). Simpan berkasnya dengan"
        " aman.",
        "For the Dinas Sosial's checks: this year's package recipients with their full names."
        " Every export is recorded in the log (who, when, how many rows). Keep the file safe.",
    ),
    **RECORD_TEXTS,
}

TEXTS.update(FORM_TEXTS)

KINDS: dict[str, tuple[str, str]] = {
    "SENAM": ("Senam & konsolidasi", "Exercise & consolidation"),
    "JALAN_JALAN": ("Jalan-jalan", "Walkabout"),
    "BERSIH_BERSIH": ("Bersih-bersih", "Clean-up"),
    "SHOLAWATAN_BERBAGI": ("Sholawatan & berbagi", "Sholawatan & sharing"),
    "SERASA_DESA": ("Serasa Desa", "Serasa Desa (village visit)"),
}

MONTHS: tuple[tuple[str, str], ...] = (
    ("Jan", "Jan"),
    ("Feb", "Feb"),
    ("Mar", "Mar"),
    ("Apr", "Apr"),
    ("Mei", "May"),
    ("Jun", "Jun"),
    ("Jul", "Jul"),
    ("Agu", "Aug"),
    ("Sep", "Sep"),
    ("Okt", "Oct"),
    ("Nov", "Nov"),
    ("Des", "Dec"),
)


def pick_lang(query: str | None, cookie: str | None) -> str:
    """`?lang=` wins, then the remembered choice, then Bahasa Indonesia."""
    for choice in (query, cookie):
        if choice in LANGS:
            return choice
    return LANGS[0]


@dataclass(frozen=True)
class Words:
    """Everything a template needs to speak one language."""

    lang: str

    @property
    def _i(self) -> int:
        return LANGS.index(self.lang)

    def __call__(self, key: str) -> str:
        return TEXTS[key][self._i]

    def kind(self, kind: str) -> str:
        return KINDS.get(kind, (kind, kind))[self._i]

    def status(self, status: str) -> str:
        return self(status) if status in TEXTS else status

    def code(self, kind: str, code: str | None) -> str:
        """A code the services answer (`RECORDED`, `SERASA_DESA`, `PBI_JK`, a role...) in words."""
        if not code:
            return ""
        known = CODES.get(kind, {}).get(code)
        return known[self._i] if known else humane(code)

    def field(self, name: str | None) -> str:
        """A field's label as its form shows it; `desa.0.name`'s is the label of `desa`."""
        head = (name or "").split(".")[0]
        return FIELDS[head][self._i] if head in FIELDS else humane(head)

    def hint(self, name: str | None) -> str | None:
        """What the field must hold, in plain words (None when the field has no rule to say)."""
        head = (name or "").split(".")[0]
        return HINTS[head][self._i] if head in HINTS else None

    def pick(self, message: str, message_en: str) -> str:
        return message if self.lang == "id" else message_en

    def month(self, month: int) -> str:
        return MONTHS[month - 1][self._i]

    def number(self, value: int | float) -> str:
        text = f"{round(value):,}"
        return text.replace(",", ".") if self.lang == "id" else text

    def rupiah(self, value: int) -> str:
        return f"Rp {self.number(value)}"

    def percent(self, part: int, whole: int) -> str:
        if not whole:
            return "-"
        share = f"{100 * part / whole:.1f}"
        return f"{share.replace('.', ',') if self.lang == 'id' else share}%"
