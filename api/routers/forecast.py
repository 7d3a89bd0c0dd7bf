"""``POST /v1/forecast``: a forecast with 80/95 % intervals and its backtest against seasonal naive."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import Reader
from api.deps import SessionDep, SettingsDep
from services.forecasting.forecast import Forecast, ForecastRequest, forecast

router = APIRouter(prefix="/v1/forecast", tags=["forecast"])


@router.post("", response_model=Forecast)
def make_forecast(body: ForecastRequest, session: SessionDep, settings: SettingsDep, _: Reader) -> Forecast:
    """Series ids: sensor:<id>, cases:<district|city>:<category|all>, ett:OT, traffic:<detector>."""
    return forecast(session, body, settings.shared_dir)
