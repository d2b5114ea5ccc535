"Everything public in paddy_mt, fastai-style: `from paddy_mt.all import *`"
from fastai.vision.all import *
from .sample import *
from .data import *
from .augment import *
from .script import *
from .xray import *
from .surgery import *
from .model import *
from .weights import *
from .loss import *
from .learner import *
from .train import *
from .variation import *
from .inference import *
from .sweep import *
from .perf import *
