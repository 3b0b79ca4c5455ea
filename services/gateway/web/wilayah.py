"""Reference region names (Kemendagri 2025): Kabupaten Magetan and Kecamatan Kawedanan."""

from __future__ import annotations

MAGETAN = ("35.20", "Magetan")

MAGETAN_KECAMATAN: tuple[tuple[str, str], ...] = (
    ("35.20.01", "Poncol"),
    ("35.20.02", "Parang"),
    ("35.20.03", "Lembeyan"),
    ("35.20.04", "Takeran"),
    ("35.20.05", "Kawedanan"),
    ("35.20.06", "Magetan"),
    ("35.20.07", "Plaosan"),
    ("35.20.08", "Panekan"),
    ("35.20.09", "Sukomoro"),
    ("35.20.10", "Bendo"),
    ("35.20.11", "Maospati"),
    ("35.20.12", "Barat"),
    ("35.20.13", "Karangrejo"),
    ("35.20.14", "Karas"),
    ("35.20.15", "Kartoharjo"),
    ("35.20.16", "Ngariboyo"),
    ("35.20.17", "Nguntoronadi"),
    ("35.20.18", "Sidorejo"),
)

KAWEDANAN = ("35.20.05", "Kawedanan")

KAWEDANAN_DESA: tuple[tuple[str, str], ...] = (
    ("35.20.05.1010", "Kawedanan"),
    ("35.20.05.1011", "Rejosari"),
    ("35.20.05.1012", "Sampung"),
    ("35.20.05.2001", "Mangunrejo"),
    ("35.20.05.2002", "Giripurno"),
    ("35.20.05.2003", "Ngentep"),
    ("35.20.05.2004", "Balerejo"),
    ("35.20.05.2005", "Garon"),
    ("35.20.05.2006", "Tladan"),
    ("35.20.05.2007", "Pojok"),
    ("35.20.05.2008", "Ngunut"),
    ("35.20.05.2009", "Tulung"),
    ("35.20.05.2013", "Bogem"),
    ("35.20.05.2014", "Jambangan"),
    ("35.20.05.2015", "Selorejo"),
    ("35.20.05.2016", "Sugihrejo"),
    ("35.20.05.2017", "Ngadirejo"),
    ("35.20.05.2018", "Karangrejo"),
    ("35.20.05.2019", "Genengan"),
    ("35.20.05.2020", "Mojorejo"),
)


def kecamatan_of(kab: str) -> tuple[tuple[str, str], ...]:
    """The known kecamatan of a kabupaten (code without dots), for the dashboard's picker."""
    return MAGETAN_KECAMATAN if kab == MAGETAN[0].replace(".", "") else ()
