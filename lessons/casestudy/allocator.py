"""Keep freed memory in the process: large CPU tensors then stop paying for fresh pages.

A full-softmax batch allocates a ``(targets, n_items)`` float tensor of tens of MB several times per step.
glibc serves blocks that large with ``mmap`` and gives them back with ``munmap``, so every new tensor starts as
untouched pages and the kernel zero-fills them on first write. On this project's 2-core machine that made one
step of the full softmax (matmul, cross-entropy, backward) markedly slower: see
``python benchmarks/softmax_speed.py``, which times it both ways.

:func:`keep_freed_memory` tells glibc (through ``mallopt``) to serve every block from its heap and not to
trim the heap back to the OS, so freed blocks are reused. The price: the process keeps its peak size until it
ends, which ``peak_rss_mb`` reports anyway. It does nothing (and says so) where glibc is absent.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4


def keep_freed_memory(trim_threshold_bytes: int = 1 << 30) -> bool:
    """Switch glibc's malloc to heap-only allocation with a high trim threshold; ``True`` if it took effect.

    trim_threshold_bytes: free memory at the top of the heap above which glibc returns it to the OS.
    """
    if not isinstance(trim_threshold_bytes, int) or trim_threshold_bytes < 0:
        raise ValueError(f"trim_threshold_bytes must be an int >= 0, got {trim_threshold_bytes!r}")
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, musl without mallopt)
        return False
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, min(trim_threshold_bytes, 2**31 - 1)))
