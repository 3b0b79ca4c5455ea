"""Words of the dashboard's forms, sign-in security, users, rota and fund pages (merged into
i18n's TEXTS). `{x}` in a notice is the detail its submit passed (a receipt number...)."""

from __future__ import annotations

FORM_TEXTS: dict[str, tuple[str, str]] = {
    "locked": (
        "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam {m} menit.",
        "Too many failed sign-in attempts. For safety, try again in {m} minutes.",
    ),
    "saved": ("Tersimpan.", "Saved."),
    "save": ("Simpan", "Save"),
    "optional": ("boleh kosong", "optional"),
    "choose": ("— pilih —", "— choose —"),
    "manage": ("Kelola", "Manage"),
    "details": ("Rincian", "Details"),
    "actions": ("Tindakan", "Actions"),
    "setup": ("Pengaturan", "Set-up"),
    "setup_this": ("Siapkan kecamatan ini", "Set up this kecamatan"),
    "setup_first": (
        "Kecamatan ini belum disiapkan. Isi nama, daftar desa (urutan giliran) dan unit"
        " kerja, lalu simpan.",
        "This kecamatan is not set up yet. Fill in its name, its desa (in rotation order)"
        " and its units, then save.",
    ),
    "kec_name": ("Nama kecamatan", "Name of the kecamatan"),
    "desa_list": ("Desa/kelurahan, urut giliran", "Desa/kelurahan, in rotation order"),
    "desa_list_hint": (
        "Satu desa per baris: kode Kemendagri lalu nama, mis. 35.20.05.2001 Balerejo.",
        "One desa a line: its Kemendagri code, then its name, e.g. 35.20.05.2001 Balerejo.",
    ),
    "units_list": ("Unit kerja yang berdonasi", "Units that donate"),
    "units_list_hint": (
        "Satu unit per baris (kantor kecamatan, pemerintah desa...).",
        "One unit a line (the kecamatan office, the village governments...).",
    ),
    "fifth_friday": ("Kegiatan Jumat kelima", "Activity of a 5th Friday"),
    "no_activity": ("Tidak ada kegiatan", "No activity"),
    "days_off": ("Hari libur daerah", "Local days off"),
    "days_off_hint": (
        "Satu per baris: tanggal lalu nama, mis. 2025-01-15 Hari Jadi Kabupaten.",
        "One a line: the date, then its name, e.g. 2025-01-15 Regency anniversary.",
    ),
    "setup_keep_hint": (
        "Desa atau unit yang sudah dipakai (kegiatan, rumah tangga, putaran, donasi) tidak"
        " dapat dihapus dari daftar.",
        "A desa or unit already in use (activities, households, rounds, donations) cannot be"
        " taken off the list.",
    ),
    "desa_in_use": (
        "Desa {name} tidak dapat dihapus karena sudah dipakai: tuan rumah {hosted} kegiatan,"
        " {households} rumah tangga terdaftar, {rounds} putaran penyaluran.",
        "Desa {name} cannot be removed, it is in use: host of {hosted} activities,"
        " {households} households registered, {rounds} hand-out rounds.",
    ),
    "unit_in_use": (
        "Unit {unit} tidak dapat dihapus karena sudah tercatat {n} donasinya.",
        "Unit {unit} cannot be removed: {n} of its donations are recorded.",
    ),
    "setup_created": (
        "Kecamatan sudah disiapkan. Sekarang susun jadwalnya.",
        "The kecamatan is set up. Now schedule its rota.",
    ),
    "setup_saved": ("Pengaturan kecamatan tersimpan.", "The kecamatan's set-up is saved."),
    "schedule_month": ("Susun jadwal {x}", "Schedule {x}"),
    "not_scheduled": ("Bulan ini belum dijadwalkan.", "This month is not scheduled yet."),
    "scheduled_ok": ("Jadwal tersusun: {x} kegiatan.", "Scheduled: {x} activities."),
    "due_fridays": (
        "Jumat berbagi yang belum ada putarannya",
        "Charity Fridays still waiting for a round",
    ),
    "due_fridays_intro": (
        "Setelah Sholawatan & berbagi terlaksana, desa tuan rumah perlu putaran penyaluran"
        " paket sembako pada bulan itu.",
        "Once a Sholawatan & sharing Friday is held, its host desa needs a hand-out round"
        " of food packages that month.",
    ),
    "none_due": ("Semua sudah punya putaran.", "Every one has its round."),
    "to_rounds": ("Buka putaran", "Open a round"),
    "held_on_date": ("Tanggal pelaksanaan", "Held on"),
    "mark_held": ("Catat terlaksana", "Record as held"),
    "save_held": ("Simpan sebagai terlaksana", "Save as held"),
    "notes": ("Catatan", "Notes"),
    "held_ok": ("Kegiatan tercatat terlaksana.", "The activity is recorded as held."),
    "move": ("Pindahkan tanggal", "Move to another day"),
    "new_date": ("Tanggal baru", "New date"),
    "move_hint": (
        "Hanya ke hari kerja pada bulan yang sama.",
        "Only to a working day of the same month.",
    ),
    "moved_ok": ("Kegiatan dipindahkan.", "The activity was moved."),
    "cancel_activity": ("Batalkan kegiatan", "Cancel the activity"),
    "cancelled_ok": ("Kegiatan dibatalkan.", "The activity was cancelled."),
    "activity_closed": (
        "Kegiatan ini tidak lagi terjadwal: tidak ada yang bisa diubah.",
        "This activity is no longer scheduled: nothing can be changed.",
    ),
    "record_fund": ("Catat donasi & pembelian", "Record donations & purchases"),
    "record_donation": ("Catat donasi", "Record a donation"),
    "amount_rp": ("Jumlah (Rp)", "Amount (Rp)"),
    "received_on": ("Tanggal diterima", "Received on"),
    "donor": ("Nama donatur", "Donor's name"),
    "donor_hint": (
        "Kosongkan atau tulis \u201chamba Allah\u201d bila donatur tidak ingin disebut.",
        "Leave empty or write \u201chamba Allah\u201d for a donor who gives anonymously.",
    ),
    "donation_ok": (
        "Donasi tercatat dengan kuitansi nomor {x}.",
        "Donation recorded, receipt number {x}.",
    ),
    "record_procurement": ("Catat pembelian paket", "Record a purchase of packages"),
    "packages_count": ("Jumlah paket", "Packages"),
    "unit_price_rp": ("Harga per paket (Rp)", "Price per package (Rp)"),
    "purchased_on": ("Tanggal beli", "Bought on"),
    "supplier": ("Pemasok", "Supplier"),
    "procured_ok": ("Pembelian {x} paket tercatat.", "Purchase of {x} packages recorded."),
    "receipt_no": ("No. kuitansi", "Receipt no."),
    "valid": ("Sah", "Valid"),
    "newer": ("Lebih baru", "Newer"),
    "older": ("Lebih lama", "Older"),
    "void": ("Batalkan", "Void"),
    "void_donation": ("Batalkan donasi", "Void the donation"),
    "void_explain": (
        "Donasi yang dibatalkan tetap ada di log dan di daftar, ditandai batal; jumlahnya"
        " keluar dari saldo. Tuliskan alasannya.",
        "A voided donation stays in the log and in the list, marked void; its amount leaves"
        " the balance. Say why.",
    ),
    "already_voided": ("Donasi ini sudah dibatalkan.", "This donation is already void."),
    "voided_ok": ("Donasi kuitansi nomor {x} dibatalkan.", "The donation of receipt {x} is void."),
    "users": ("Pengguna", "Users"),
    "role": ("Peran", "Role"),
    "area": ("Wilayah", "Area"),
    "all_areas": ("semua wilayah", "every area"),
    "active": ("Aktif", "Active"),
    "disabled": ("Nonaktif", "Disabled"),
    "disable": ("Nonaktifkan", "Disable"),
    "new_password": ("Kata sandi baru", "New password"),
    "reset_password": ("Ganti sandi", "Reset password"),
    "enable_with_password": ("Aktifkan dengan sandi ini", "Enable with this password"),
    "add_user": ("Tambah pengguna", "Add a user"),
    "kab_code": ("Kode kabupaten", "Kabupaten code"),
    "desa_code": ("Kode desa", "Desa code"),
    "role_area_hint": (
        "Camat dan bendahara: isi kode kecamatan. Operator desa: isi kode desanya (wajib)."
        " Admin dan auditor: kosongkan untuk semua wilayah, atau isi kabupaten.",
        "Camat and bendahara (treasurer): fill in the kecamatan code. Village operator: fill"
        " in the desa code (required). Admin and auditor: leave empty for every area, or give"
        " a kabupaten.",
    ),
    "user_bad_name": (
        "Nama pengguna 2-64 huruf kecil, angka, titik, garis bawah atau tanda minus.",
        "A username is 2-64 lowercase letters, digits, '.', '_' or '-'.",
    ),
    "user_bad_password": (
        "Kata sandi paling sedikit 8 karakter.",
        "A password has at least 8 characters.",
    ),
    "user_needs_kec": (
        "Peran ini butuh kode kecamatan yang berada di kabupatennya.",
        "This role needs a kecamatan code inside its kabupaten.",
    ),
    "user_needs_desa": (
        "Operator desa butuh kode desa (10 digit) di dalam kecamatannya.",
        "A village operator needs a desa code (10 digits) inside its kecamatan.",
    ),
    "user_bad_role": ("Pilih salah satu peran.", "Choose one of the roles."),
    "user_taken": ("Nama pengguna ini sudah dipakai.", "This username is taken."),
    "user_not_self": (
        "Anda tidak dapat menonaktifkan akun Anda sendiri.",
        "You cannot disable your own account.",
    ),
    "user_added": ("Pengguna {x} ditambahkan.", "User {x} added."),
    "user_disabled": (
        "Pengguna {x} dinonaktifkan; sesinya berakhir.",
        "User {x} is disabled; their sessions have ended.",
    ),
    "user_reset": (
        "Kata sandi {x} diganti; sesi lamanya berakhir.",
        "The password of {x} is reset; their old sessions have ended.",
    ),
    # H3 books: the expense form, the cash book page and closing a month
    "cashbook": ("Buku kas umum", "Cash book"),
    "record_expense": ("Catat pengeluaran", "Record an expense"),
    "spent_on": ("Tanggal pengeluaran", "Date spent"),
    "expense_category": ("Jenis pengeluaran", "Kind of expense"),
    "expense_description": ("Uraian", "Description"),
    "expense_ok": (
        "Pengeluaran tercatat dengan bukti nomor {x}.",
        "The expense was recorded with receipt no. {x}.",
    ),
    "opening_balance": ("Saldo awal", "Opening balance"),
    "cash_in": ("Penerimaan", "In"),
    "cash_out": ("Pengeluaran", "Out"),
    "running_balance": ("Saldo", "Balance"),
    "entry_ref": ("Bukti", "Voucher"),
    "entry_about": ("Uraian", "Particulars"),
    "print": ("Cetak", "Print"),
    "period_is_closed": (
        "Buku bulan ini sudah ditutup: isinya final.",
        "The books of this month are closed: its entries are final.",
    ),
    "period_is_open": ("Buku bulan ini masih terbuka.", "The books of this month are open."),
    "close_month": ("Tutup buku bulan ini", "Close this month"),
    "close_confirm": ("Tutup buku {x}?", "Close the books of {x}?"),
    "close_explain": (
        "Setelah ditutup, donasi, pembatalan, pembelian atau pengeluaran bertanggal bulan ini"
        " atau sebelumnya tidak dapat dicatat lagi; koreksi dicatat di bulan yang masih"
        " terbuka. Penutupan tidak dapat dibatalkan.",
        "Once closed, no donation, void, procurement or expense dated in this month or"
        " before it can be recorded; a correction goes into an open month. A closing cannot"
        " be undone.",
    ),
    "close_yes": ("Ya, tutup buku", "Yes, close the books"),
    "period_closed_ok": ("Buku bulan {x} ditutup.", "The books of {x} are closed."),
    "closed_months": ("Bulan yang sudah ditutup", "Months closed"),
    "treasurer": ("Bendahara", "Treasurer"),
    "acknowledged_by": ("Mengetahui, Camat", "Acknowledged, Camat"),
    "brought_forward": ("Saldo bulan lalu", "Brought forward"),
    "packages_unit": ("paket", "packages"),
    "spent_books": ("Belanja paket & pengeluaran", "Packages bought & expenses"),
    # H4 findings v2: whom a finding concerns, the official named, sanctions that fit
    "by_subject_type": ("Per subjek temuan", "By whom the findings concern"),
    "subject": ("Subjek", "Subject"),
    "repeat_officials": ("Aparatur dengan temuan berulang", "Officials found again"),
    "repeat_officials_hint": (
        "Aparatur yang disebut oleh dua temuan atau lebih dalam jarak 24 bulan; temuan yang"
        " ditolak tidak dihitung.",
        "Officials named by two findings or more within 24 months of each other; dismissed"
        " findings do not count.",
    ),
    "no_sanction": ("Tanpa sanksi", "No sanction"),
    "sanction_law_asn": (
        "Sanksi disiplin ASN menurut PP 94/2021 untuk temuan tingkat {x}.",
        "ASN disciplinary sanctions of PP 94/2021 for a {x} finding.",
    ),
    "sanction_law_desa": (
        "Sanksi bagi kepala desa dan perangkat desa menurut UU 6/2014, apa pun tingkatnya.",
        "Sanctions for village heads and village officials under UU 6/2014, whatever the severity.",
    ),
    "official_sealed": (
        "NIP atau nama aparatur disimpan tersegel dan tidak pernah ditampilkan; hanya dipakai"
        " untuk mengenali temuan berulang atas orang yang sama.",
        "The official's NIP or name is stored sealed and never shown; it only serves to"
        " recognise repeat findings about the same person.",
    ),
}
