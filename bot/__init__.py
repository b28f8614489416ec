"""newsbot's Telegram application."""

import os

# The summarizer multiplies small matrices in worker threads; OpenBLAS's own thread pool only burns CPU on them
# (measured ~20% more CPU per summary). Must be set before numpy is first imported; an operator's value wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
