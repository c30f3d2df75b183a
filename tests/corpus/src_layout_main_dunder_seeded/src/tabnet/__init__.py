from tabnet.model import TabNetLite

__all__ = ["TabNetLite"]
