__version__ = "0.0.1"
import warnings as _warnings
# torch deprecates `torch.jit.script`, which fastai and timm call when they are imported: without this, every command and
# `from paddy_mt.all import *` print that FutureWarning. This file runs before any paddy_mt module imports fastai or timm.
_warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning)
