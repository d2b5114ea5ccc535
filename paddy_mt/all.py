"Everything public in paddy_mt, fastai-style: `from paddy_mt.all import *`"
from fastai.vision.all import *
from .sample import *
from .data import *
