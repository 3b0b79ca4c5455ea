"""Words of the households, import, rounds and findings pages (Bahasa Indonesia, English)."""

from __future__ import annotations

RECORD_TEXTS: dict[str, tuple[str, str]] = {
    "cancel": ("Batal", "Cancel"),
    "search": ("Cari", "Search"),
    "clear_search": ("Hapus pencarian", "Clear the search"),
    "nik_suffix": ("4 angka terakhir NIK", "Last 4 digits of the NIK"),
    "initials": ("Huruf awal nama", "Initials of the name"),
    "showing": ("Menampilkan", "Showing"),
    "of": ("dari", "of"),
    "none_found": ("Tidak ada rumah tangga yang cocok.", "No household matches."),
    "page": ("Halaman", "Page"),
    "pages": ("Halaman daftar", "Pages of the list"),
    "previous": ("Sebelumnya", "Previous"),
    "next": ("Berikutnya", "Next"),
    "household": ("Rumah tangga", "Household"),
    "add_household": ("Tambah rumah tangga", "Add a household"),
    "add_household_intro": (
        "Data dari DTKS/DTSEN. NIK dan No. KK tidak pernah ditampilkan utuh setelah disimpan.",
        "Data from DTKS/DTSEN. The NIK and No. KK are never shown in full once saved.",
    ),
    "personal_sealed": (
        "Nama, NIK, No. KK dan alamat disimpan tersegel; layar dan laporan hanya menampilkan"
        " huruf awal dan 4 angka awal/akhir.",
        "The name, NIK, No. KK and address are stored sealed; pages and reports show only"
        " initials and the first/last 4 digits.",
    ),
    "aid_held": ("Bantuan yang sedang diterima", "Aid received now"),
    "no_aid": ("Tidak menerima bantuan", "No aid"),
    "change_aid": ("Ubah bantuan", "Change the aid"),
    "change_aid_intro": (
        "Centang semua bantuan yang diterima mulai tanggal berlaku. Penerima PKH, BPNT atau BLT"
        " Dana Desa tidak termasuk sasaran paket sembako.",
        "Tick every aid received from the date given. Households receiving PKH, BPNT or BLT"
        " Dana Desa are not among the food packages' recipients.",
    ),
    "save_aid": ("Simpan bantuan", "Save the aid"),
    "forget_household": ("Lupakan rumah tangga", "Forget the household"),
    "forget_short": (
        "Atas permintaan warga: data pribadinya dihapus untuk selamanya.",
        "At the resident's request: their personal data is erased for good.",
    ),
    "forget_what": ("Jika rumah tangga ini dilupakan:", "If this household is forgotten:"),
    "forget_what_1": (
        "nama, NIK, No. KK dan alamatnya tidak dapat dibuka lagi oleh siapa pun, juga dari log"
        " audit (kuncinya dimusnahkan);",
        "its name, NIK, No. KK and address can never be opened again by anyone, the audit log"
        " included (its key is destroyed);",
    ),
    "forget_what_2": (
        "ia tidak lagi muncul dalam usulan penerima paket;",
        "it no longer appears among the suggested recipients;",
    ),
    "forget_what_3": (
        "paket yang pernah diterimanya tetap terhitung dalam laporan.",
        "the packages it received still count in the reports.",
    ),
    "cannot_undo": ("Tindakan ini tidak dapat dibatalkan.", "This cannot be undone."),
    "forget_confirm": (
        "Ya, lupakan rumah tangga ini untuk selamanya",
        "Yes, forget this household for good",
    ),
    "forgotten_note": (
        "Rumah tangga ini sudah dilupakan: data pribadinya tidak dapat dibuka lagi.",
        "This household was forgotten: its personal data can no longer be opened.",
    ),
    "household_added": ("Rumah tangga tersimpan.", "The household was saved."),
    "aid_changed": ("Bantuan rumah tangga diperbarui.", "The household's aid was updated."),
    "household_forgotten": (
        "Rumah tangga telah dilupakan; data pribadinya tidak dapat dibuka lagi.",
        "The household was forgotten; its personal data can no longer be opened.",
    ),
    "import_intro": (
        "Unggah ekspor DTKS/DTSEN sebagai CSV. Setiap baris diperiksa sendiri: baris yang benar"
        " disimpan, baris yang salah dijelaskan di bawah agar dapat diperbaiki lalu diunggah lagi.",
        "Upload a DTKS/DTSEN export as CSV. Each line is checked on its own: good lines are"
        " saved, wrong ones are explained below so they can be fixed and uploaded again.",
    ),
    "download_template": ("Unduh templat CSV", "Download the CSV template"),
    "import_columns": ("Kolom dan isian yang diterima", "Columns and the values taken"),
    "import_format": (
        "Baris pertama berisi nama kolom persis seperti di bawah. Pemisah koma atau titik koma;"
        " UTF-8; tanggal ditulis TTTT-BB-HH.",
        "The first line holds the column names exactly as below. Comma or semicolon separated;"
        " UTF-8; dates written YYYY-MM-DD.",
    ),
    "import_example": ("Contoh isi berkas:", "An example file:"),
    "column": ("Kolom", "Column"),
    "meaning": ("Arti", "Meaning"),
    "allowed": ("Isian yang diterima", "Values taken"),
    "aid_many": (
        "Boleh kosong, atau beberapa dipisah tanda | (mis. PKH|PBI_JK).",
        "May be empty, or several separated by | (e.g. PKH|PBI_JK).",
    ),
    "desil_allowed": (
        "Angka 1 sampai 10 (1 = paling miskin)",
        "A number from 1 to 10 (1 = the poorest)",
    ),
    "free_text": ("Teks bebas", "Free text"),
    "rejected_intro": (
        "Baris berikut tidak disimpan. Perbaiki di berkas, lalu unggah lagi: baris yang sudah"
        " tersimpan akan ditolak sebagai duplikat, tidak tersimpan dua kali.",
        "These lines were not saved. Fix them in the file and upload it again: lines already"
        " saved are refused as duplicates, never saved twice.",
    ),
    "import_other_desa": (
        "Anda tidak berwenang mengimpor rumah tangga desa lain: berkas ini memuat baris desa"
        " lain (atau baris yang tidak terbaca). Tidak ada baris yang disimpan.",
        "You may not import another desa's households: this file holds lines of another desa"
        " (or lines that cannot be read). No line was saved.",
    ),
    "is_required": ("wajib diisi", "is required"),
    "is_not_valid": ("tidak valid", "is not valid"),
    "round": ("Putaran", "Round"),
    "rounds_tab": ("Putaran", "Rounds"),
    "manage_rounds": ("Kelola putaran", "Manage the rounds"),
    "rounds_due": ("Putaran yang perlu dibuka", "Rounds to open"),
    "rounds_due_intro": (
        "Jumat berbagi sudah terlaksana, tetapi putaran penyaluran desa itu belum dibuka.",
        "The charity Friday was held, but that desa's hand-out round is not open yet.",
    ),
    "held_on": ("Terlaksana pada", "Held on"),
    "open_round": ("Buka putaran", "Open a round"),
    "open_round_intro": (
        "Satu putaran per desa per bulan. Kuota = jumlah paket yang boleh dibagikan.",
        "One round per desa and month. The quota is how many packages it may hand out.",
    ),
    "round_opened": ("Putaran dibuka.", "The round is open."),
    "suggestions": ("Usulan penerima", "Suggested recipients"),
    "suggestions_intro": (
        "Urutan prioritas: yang belum pernah menerima dahulu, lalu desil terendah, lalu yang"
        " paling lama tidak menerima.",
        "In priority order: never received first, then the lowest decile, then the longest"
        " since the last package.",
    ),
    "last_received": ("Terakhir menerima", "Last received"),
    "never": ("Belum pernah", "Never"),
    "use_date": ("Pakai tanggal", "Use this date"),
    "hand_out": ("Serahkan paket", "Hand out"),
    "package_handed_out": ("Paket diserahkan.", "The package was handed out."),
    "quota_full": ("Kuota putaran ini sudah penuh.", "This round's quota is reached."),
    "no_stock": (
        "Stok paket habis: catat pembelian paket lebih dahulu.",
        "No packages in stock: record a procurement first.",
    ),
    "no_suggestions": (
        "Tidak ada rumah tangga layak yang belum menerima bulan ini.",
        "No eligible household left that has not received this month.",
    ),
    "close_round": ("Tutup putaran", "Close the round"),
    "close_round_intro": (
        "Setelah ditutup, tidak ada paket lagi yang dapat diserahkan dalam putaran ini.",
        "Once closed, no more packages can be handed out in this round.",
    ),
    "round_closed": ("Putaran ditutup.", "The round is closed."),
    "round_is_closed": ("Putaran ini sudah ditutup.", "This round is closed."),
    "finding": ("Temuan", "Finding"),
    "record_finding": ("Catat temuan", "Record a finding"),
    "linked_visit": ("Kunjungan Serasa Desa terkait", "Linked Serasa Desa visit"),
    "no_visit": ("Tidak ada", "None"),
    "finding_texts_sealed": (
        "Uraian dapat memuat nama orang: disimpan tersegel dan tidak tampil di laporan publik.",
        "The description may name people: it is stored sealed and never shown publicly.",
    ),
    "finding_recorded": ("Temuan tercatat.", "The finding was recorded."),
    "days": ("hari", "days"),
    "overdue": ("Lewat batas", "Overdue"),
    "follow_ups": ("Tindak lanjut", "Follow-ups"),
    "follow_up": ("Tindak lanjuti", "Follow up"),
    "follow_up_intro": (
        "Catat tindakan yang diambil; temuan tetap terbuka sampai diselesaikan.",
        "Record the action taken; the finding stays open until it is resolved.",
    ),
    "finding_followed_up": ("Tindak lanjut tercatat.", "The follow-up was recorded."),
    "resolve": ("Selesaikan", "Resolve"),
    "resolve_intro": (
        "Temuan sudah ditangani: tuliskan bagaimana.",
        "The finding was dealt with: say how.",
    ),
    "finding_resolved": ("Temuan diselesaikan.", "The finding was resolved."),
    "dismiss": ("Tolak temuan", "Dismiss"),
    "dismiss_intro": (
        "Temuan tidak benar: tuliskan alasannya. Temuan yang ditolak tidak dihitung lagi.",
        "The finding is not valid: say why. A dismissed finding leaves every count.",
    ),
    "finding_dismissed": ("Temuan ditolak.", "The finding was dismissed."),
    # -- the kabupaten view (issue #24): kabupaten, province and public kabupaten pages --
    "kabupaten": ("Kabupaten", "Kabupaten"),
    "kabupaten_view": ("Perbandingan kecamatan", "Kecamatan side by side"),
    "kabupaten_intro": (
        "Angka tiap kecamatan dihitung sama seperti ringkasan kecamatan itu sendiri."
        " Urutkan dengan judul kolom atau pilihan di atas tabel.",
        "Each kecamatan's figures are counted as its own overview counts them."
        " Sort by a column's heading or the choice above the table.",
    ),
    "province_view": ("Semua kabupaten", "Every kabupaten"),
    "province_intro": (
        "Jumlah setiap kabupaten, masing-masing dari log kabupaten itu sendiri.",
        "Each kabupaten's totals, each read from that kabupaten's own log.",
    ),
    "whole_kabupaten": ("Seluruh kabupaten", "The whole kabupaten"),
    "kecamatan_count": ("Kecamatan", "Kecamatan"),
    "findings_last_year": ("Temuan tahun lalu", "Findings the year before"),
    "trend": ("Tren temuan", "Findings' trend"),
    "export_csv": ("Unduh CSV", "Download CSV"),
    "export_xlsx": ("Unduh XLSX", "Download XLSX"),
    "no_kecamatan": ("Belum ada kecamatan yang diatur.", "No kecamatan is set up yet."),
    "sort_by": ("Urutkan menurut", "Sort by"),
    "largest_first": ("terbesar dulu", "largest first"),
    "smallest_first": ("terkecil dulu", "smallest first"),
    "compare_kecamatan": ("Perbandingan antarkecamatan", "The kecamatan compared"),
    "compare_kabupaten": ("Perbandingan antarkabupaten", "The kabupaten compared"),
    "charts_first": (
        "Grafik menampilkan {n} baris pertama menurut urutan tabel; tabel memuat semuanya.",
        "The charts show the first {n} rows in the table's order; the table holds them all.",
    ),
    "public_kabupaten_intro": (
        "Angka keseluruhan program per kecamatan, tanpa data pribadi.",
        "The programme's totals per kecamatan, without personal data.",
    ),
    # H2 hand-outs v2: BAST numbers, who received, evidence, stock adjustments
    "package": ("Paket", "Package"),
    "bast_no": ("No. BAST", "BAST no."),
    "no_bast": ("tanpa BAST (dicatat sebelum BAST)", "no BAST (recorded before BASTs)"),
    "distributed_on_short": ("Diserahkan", "Handed out"),
    "received_by": ("Diterima oleh", "Received by"),
    "receiver_name": ("Nama penerima", "Receiver's name"),
    "receiver_sealed": (
        "Nama penerima disimpan tersegel dengan kunci rumah tangga; di sini hanya huruf awalnya.",
        "The receiver's name is stored sealed under the household's key; only initials show here.",
    ),
    "handed_out": ("Paket diserahkan", "Packages handed out"),
    "open_household": ("Lihat rumah tangga", "See the household"),
    "evidence": ("Bukti", "Evidence"),
    "evidence_intro": (
        "Foto penyerahan atau pindaian BAST bertanda tangan (JPEG, PNG atau PDF, paling besar"
        " 5 MB). Berkas disimpan di luar log; sidik SHA-256-nya tercatat di log.",
        "A photo of the hand-out or a signed scan of the BAST (JPEG, PNG or PDF, at most 5 MB)."
        " The file is kept outside the log; its SHA-256 fingerprint is in the log.",
    ),
    "no_evidence": ("Belum ada bukti.", "No evidence yet."),
    "evidence_file": ("Berkas bukti", "Evidence file"),
    "attach_evidence": ("Unggah bukti", "Upload the evidence"),
    "evidence_attached": ("Bukti tersimpan.", "The evidence was kept."),
    "package_handed_out_bast": ("Paket diserahkan: {x}.", "The package was handed out: {x}."),
    "procured": ("Dibeli", "Procured"),
    "adjusted": ("Penyesuaian", "Adjusted"),
    "in_stock": ("Stok tersedia", "In stock"),
    "adjust_stock": ("Sesuaikan stok", "Adjust the stock"),
    "adjust_stock_intro": (
        "Angka negatif untuk paket rusak atau hilang, positif untuk paket yang ditemukan saat"
        " penghitungan. Stok tidak boleh menjadi kurang dari nol.",
        "A negative number for damaged or lost packages, positive for packages found in a"
        " count. The stock cannot go below zero.",
    ),
    "stock_adjusted": ("Stok disesuaikan.", "The stock was adjusted."),
    # H1 households v2: changing a household, members, aid lists, import aliases
    "change_household": ("Ubah data rumah tangga", "Change the household"),
    "change_household_intro": (
        "Hanya isian yang diubah yang dicatat. Pindah desa: paket yang sudah diserahkan tetap"
        " tercatat di desa lamanya; usulan dan cakupan berikutnya di desa baru.",
        "Only what changes is recorded. A move: packages already handed out stay in the old"
        " desa; from now on its suggestions and coverage are in the new desa.",
    ),
    "unchanged": ("— tetap —", "— unchanged —"),
    "unchanged_if_empty": ("kosong: tetap", "empty: unchanged"),
    "registry_forward_only": (
        "Hanya boleh DTKS ke DTSEN, tidak kembali.",
        "Only DTKS to DTSEN, never back.",
    ),
    "members_hint": (
        "Satu anggota per baris: NIK 16 angka lalu nama. Isian ini mengganti seluruh daftar"
        " anggota. NIK anggota tidak boleh terdaftar di rumah tangga lain sekabupaten.",
        "One member a line: the 16-digit NIK, then the name. This replaces the whole list of"
        " members. A member's NIK may not be held by another household of the kabupaten.",
    ),
    "members_clear": ("Hapus semua anggota keluarga", "Remove every family member"),
    "save_changes": ("Simpan perubahan", "Save the changes"),
    "household_changed": ("Data rumah tangga diperbarui.", "The household was updated."),
    "aid_import": ("Impor daftar penerima bantuan", "Import an aid beneficiary list"),
    "aid_import_intro": (
        "Daftar NIK penerima satu program (PKH, BPNT, BLT Dana Desa, PBI JK) per tanggal,"
        " dari dokumen sumber yang disebut. Setiap rumah tangga kecamatan ini yang NIK kepala"
        " atau anggotanya ada di daftar menerima program itu sejak tanggal tersebut. NIK yang"
        " tidak cocok hanya dihitung, tidak pernah disimpan.",
        "The beneficiary NIKs of one programme (PKH, BPNT, BLT Dana Desa, PBI JK) as of a date,"
        " from a named source document. Every household of this kecamatan whose head's or"
        " member's NIK is on the list holds that programme from that date on. NIKs that match"
        " nobody are only counted, never kept.",
    ),
    "aid_list_file": ("Berkas CSV dengan kolom nik", "CSV file with a column nik"),
    "source_document": ("Dokumen sumber", "Source document"),
    "source_document_hint": (
        "mis. SK Kepala Dinas Sosial No. 460/12/2025 (paling banyak 200 huruf)",
        "e.g. SK Kepala Dinas Sosial No. 460/12/2025 (200 letters at most)",
    ),
    "matched": ("NIK cocok", "NIKs matched"),
    "unmatched": ("NIK tidak cocok (tidak disimpan)", "NIKs unmatched (not kept)"),
    "import_aliases": ("Judul kolom SIKS-NG / DTSEN", "SIKS-NG / DTSEN column headers"),
    "import_aliases_intro": (
        "Judul kolom ekspor SIKS-NG / DTSEN berikut juga dibaca (huruf besar/kecil, spasi,"
        " titik dan tanda hubung tidak dibedakan dari garis bawah):",
        "These SIKS-NG / DTSEN export headers are read too (case, spaces, dots and hyphens"
        " count as underscores):",
    ),
}
"""Every text of these pages, merged into `i18n.TEXTS`."""
