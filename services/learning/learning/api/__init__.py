"""Learning HTTP API."""

from learning.api.actions import router as actions_router
from learning.api.experience import router as experience_router
from learning.api.reports import router as reports_router
from learning.api.subjects import router as subjects_router

ROUTERS = [reports_router, actions_router, subjects_router, experience_router]
