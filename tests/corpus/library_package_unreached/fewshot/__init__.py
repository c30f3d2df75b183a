from .prototypes import ProtoNet
from .sampling import EpisodeSampler, make_episode

__all__ = ["ProtoNet", "EpisodeSampler", "make_episode"]
