"""Writers: a :class:`~diffreport.result.Comparison` → bytes or text. One module per format."""

from __future__ import annotations
