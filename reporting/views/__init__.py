from reporting.views.home import dashboard

__all__ = ["dashboard"]
