"""The scheduler service: kecamatan set-up, the Friday and Tuesday rota, what was held."""
