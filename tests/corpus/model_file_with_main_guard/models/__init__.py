from .mobilenet import MobileNetV2
