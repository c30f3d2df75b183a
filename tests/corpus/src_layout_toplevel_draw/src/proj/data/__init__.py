from .augment import ColorJitter
from .datasets import ImageFolderLite
