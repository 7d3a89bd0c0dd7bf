"""Forecasting: sensor, case-count and public series with intervals and backtests."""
