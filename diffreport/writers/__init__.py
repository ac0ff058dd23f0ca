"""Writers: a :class:`~diffreport.compare.Comparison` → bytes or text. One module per format."""

from __future__ import annotations
